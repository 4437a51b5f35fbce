namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>An SMTP reply other than the one the test expected (not a connection failure).</summary>
internal sealed class SmtpReplyException(int code, string message) : Exception(message)
{
    /// <summary>The reply code: 4xx is transient (try again), 5xx permanent (RFC 5321 §4.2.1).</summary>
    public int Code { get; } = code;
}
