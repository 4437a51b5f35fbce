using System.Globalization;
using System.Text;

namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>
/// UPnP control messages (UDA 1.1 §3.2): the SOAP 1.1 envelope of an action request, the
/// SOAPACTION header, and the parse of the response or fault. Pure functions.
/// </summary>
internal static class SoapCodec
{
    /// <summary>The SOAPACTION header's value: "serviceType#actionName", quoted (UDA 1.1 §3.2.1).</summary>
    public static string SoapAction(string serviceType, string action) => $"\"{serviceType}#{action}\"";

    /// <summary>The request body: the action element in the service's namespace, one child per in argument, in order.</summary>
    public static byte[] BuildRequest(string serviceType, string action, IReadOnlyList<KeyValuePair<string, string>> arguments)
    {
        var body = new StringBuilder();
        body.Append("<?xml version=\"1.0\"?>\r\n");
        body.Append("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">");
        body.Append("<s:Body>");
        body.Append("<u:").Append(action).Append(" xmlns:u=\"").Append(UpnpXml.Escape(serviceType)).Append("\">");
        foreach (var (name, value) in arguments)
        {
            body.Append('<').Append(name).Append('>').Append(UpnpXml.Escape(value)).Append("</").Append(name).Append('>');
        }

        body.Append("</u:").Append(action).Append('>');
        body.Append("</s:Body></s:Envelope>\r\n");
        return Encoding.UTF8.GetBytes(body.ToString());
    }

    /// <summary>
    /// Parses the answer to <paramref name="action"/>: HTTP 200 with
    /// <c>&lt;actionResponse&gt;</c> (its children are the out arguments), or HTTP 500 with a SOAP
    /// Fault whose detail is a UPnPError. False with the reason for anything else.
    /// </summary>
    public static bool TryParseResponse(int statusCode, string body, string action, out SoapResult? result, out string? error)
    {
        result = null;
        if (!UpnpXml.TryParse(body, out var envelope, out error))
        {
            error = $"HTTP {statusCode} for {action} with a body that is not XML: {error}";
            return false;
        }

        if (envelope!.LocalName != "Envelope" || envelope.Child("Body") is not { } soapBody)
        {
            error = $"HTTP {statusCode} for {action} without a SOAP Envelope/Body";
            return false;
        }

        if (statusCode == 200 && soapBody.Child(action + "Response") is { } response)
        {
            var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var argument in response.Children)
            {
                arguments[argument.LocalName] = argument.Text;
            }

            result = new SoapResult(arguments, null, null);
            error = null;
            return true;
        }

        if (soapBody.Child("Fault") is { } fault)
        {
            // UDA 1.1 §3.2.2: faultcode s:Client, faultstring UPnPError, detail/UPnPError/errorCode.
            var upnpError = fault.Descendants("UPnPError").FirstOrDefault();
            var codeText = upnpError?.ChildText("errorCode");
            if (codeText is null || !int.TryParse(codeText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code))
            {
                error = $"HTTP {statusCode} for {action}: a SOAP fault without a UPnP errorCode ({Untrusted.Quote(fault.ChildText("faultstring"))})";
                return false;
            }

            result = new SoapResult(new Dictionary<string, string>(), code, upnpError!.ChildText("errorDescription"));
            error = null;
            return true;
        }

        error = $"HTTP {statusCode} for {action} without <{action}Response> or a Fault";
        return false;
    }
}
