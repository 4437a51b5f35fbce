namespace EPostEdge.EdgeNode.Nat.Http;

/// <summary>A whole HTTP response from a gateway: its head and its body (de-chunked).</summary>
/// <param name="Head">Status and header fields.</param>
/// <param name="Body">The payload.</param>
internal sealed record HttpResponse(HttpHead Head, byte[] Body)
{
    /// <summary>The status code.</summary>
    public int StatusCode => Head.StatusCode;

    /// <summary>The body as text: UTF-8 (what UPnP's XML uses, UDA 1.1 §2.3 and §3.1).</summary>
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}
