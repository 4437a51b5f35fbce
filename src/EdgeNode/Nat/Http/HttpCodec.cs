using System.Globalization;
using System.Text;

namespace EPostEdge.EdgeNode.Nat.Http;

/// <summary>
/// The HTTP/1.1 a UPnP control point needs (UDA 1.1 §2.1 description GET, §3.2 SOAP POST) as pure
/// functions: build a request; parse a response from the bytes received so far. The parser
/// never throws on its input: a broken or oversized response is <see cref="HttpParseStatus.Invalid"/>
/// with a reason. SSDP (HTTP over UDP, UDA 1.1 §1.3) reuses the head parser.
/// </summary>
internal static class HttpCodec
{
    /// <summary>A head longer than this is refused (RFC 9112 §2.3 lets a recipient bound it).</summary>
    public const int MaxHeadBytes = 16 * 1024;

    /// <summary>Builds a request with <c>Connection: close</c> (one exchange per connection, RFC 9112 §9.6).</summary>
    public static byte[] BuildRequest(string method, HttpUrl url, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body)
    {
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(url.PathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(url.Authority).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (body.Length > 0 || method == "POST")
        {
            head.Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        var request = new byte[headBytes.Length + body.Length];
        headBytes.CopyTo(request, 0);
        body.CopyTo(request.AsSpan(headBytes.Length));
        return request;
    }

    /// <summary>
    /// Parses a response from <paramref name="data"/> (all bytes received so far).
    /// <paramref name="endOfStream"/>: the server closed, so a body without length ends here.
    /// Interim 1xx responses are skipped (RFC 9110 §15.2).
    /// </summary>
    public static HttpParseStatus TryParseResponse(ReadOnlySpan<byte> data, bool endOfStream, int maxBodyBytes, out HttpResponse? response, out string? error)
    {
        response = null;
        var offset = 0;
        while (true)
        {
            var status = TryParseHead(data[offset..], allowUnterminated: false, out var head, out error);
            if (status != HttpParseStatus.Complete)
            {
                return status == HttpParseStatus.Incomplete && endOfStream ? Fail("the connection closed inside the response head", out error) : status;
            }

            offset += head!.Length;
            if (head.StatusCode is >= 100 and < 200)
            {
                continue;
            }

            var rest = data[offset..];
            if (head.StatusCode is 204 or 304)
            {
                response = new HttpResponse(head, []);
                return HttpParseStatus.Complete;
            }

            if (head["Transfer-Encoding"] is { } encoding)
            {
                if (!encoding.Trim().EndsWith("chunked", StringComparison.OrdinalIgnoreCase))
                {
                    return Fail($"unsupported Transfer-Encoding '{Untrusted.Quote(encoding)}'", out error);
                }

                var chunked = TryDecodeChunked(rest, maxBodyBytes, out var body, out error);
                if (chunked == HttpParseStatus.Incomplete && endOfStream)
                {
                    return Fail("the connection closed inside a chunked body", out error);
                }

                response = chunked == HttpParseStatus.Complete ? new HttpResponse(head, body!) : null;
                return chunked;
            }

            if (head["Content-Length"] is { } lengthText)
            {
                // RFC 9112 §6.3: a list of equal values is one length; anything else is invalid.
                var values = lengthText.Split(',', StringSplitOptions.TrimEntries);
                if (!long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || values.Any(v => v != values[0]))
                {
                    return Fail($"bad Content-Length '{Untrusted.Quote(lengthText)}'", out error);
                }

                if (length > maxBodyBytes)
                {
                    return Fail($"the body is {length} bytes, more than the {maxBodyBytes} accepted", out error);
                }

                if (rest.Length < length)
                {
                    return endOfStream ? Fail($"the connection closed after {rest.Length} of {length} body bytes", out error) : HttpParseStatus.Incomplete;
                }

                response = new HttpResponse(head, rest[..(int)length].ToArray());
                return HttpParseStatus.Complete;
            }

            // RFC 9112 §6.3 (8): no length, so the body runs to the end of the connection.
            if (rest.Length > maxBodyBytes)
            {
                return Fail($"the body is more than the {maxBodyBytes} bytes accepted", out error);
            }

            if (!endOfStream)
            {
                return HttpParseStatus.Incomplete;
            }

            response = new HttpResponse(head, rest.ToArray());
            return HttpParseStatus.Complete;
        }
    }

    /// <summary>
    /// Parses a status line and header fields. Lines may end in CRLF or a bare LF (RFC 9112 §2.2
    /// lets a recipient accept it; SSDP stacks do send it). <paramref name="allowUnterminated"/>:
    /// the input is a whole datagram, so its end also ends the head (some devices omit the blank line).
    /// </summary>
    public static HttpParseStatus TryParseHead(ReadOnlySpan<byte> data, bool allowUnterminated, out HttpHead? head, out string? error)
    {
        head = null;
        error = null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? lastName = null;
        int statusCode = 0;
        var reason = string.Empty;
        var position = 0;
        var first = true;
        while (true)
        {
            if (position >= MaxHeadBytes)
            {
                return Fail($"the response head is longer than {MaxHeadBytes} bytes", out error);
            }

            var newline = data[position..].IndexOf((byte)'\n');
            ReadOnlySpan<byte> lineBytes;
            int next;
            if (newline < 0)
            {
                if (!allowUnterminated)
                {
                    return data.Length - position >= MaxHeadBytes ? Fail($"the response head is longer than {MaxHeadBytes} bytes", out error) : HttpParseStatus.Incomplete;
                }

                lineBytes = data[position..];
                next = data.Length;
            }
            else
            {
                lineBytes = data.Slice(position, newline);
                next = position + newline + 1;
            }

            if (lineBytes.Length > 0 && lineBytes[^1] == '\r')
            {
                lineBytes = lineBytes[..^1];
            }

            var line = Encoding.Latin1.GetString(lineBytes);
            position = next;
            if (first)
            {
                if (!TryParseStatusLine(line, out statusCode, out reason, out error))
                {
                    return HttpParseStatus.Invalid;
                }

                first = false;
            }
            else if (line.Length == 0)
            {
                head = new HttpHead(statusCode, reason, headers, position);
                return HttpParseStatus.Complete;
            }
            else if (line[0] is ' ' or '\t')
            {
                // Obsolete line folding (RFC 9112 §5.2): a continuation of the previous value.
                if (lastName is null)
                {
                    return Fail("a folded line before any header field", out error);
                }

                headers[lastName] = headers[lastName] + " " + line.Trim();
            }
            else
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0 || !IsToken(line.AsSpan(0, colon)))
                {
                    return Fail($"not a header field: '{Untrusted.Quote(line)}'", out error);
                }

                var name = line[..colon];
                var value = line[(colon + 1)..].Trim();
                headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
                lastName = name;
            }

            if (position >= data.Length)
            {
                if (allowUnterminated && !first)
                {
                    head = new HttpHead(statusCode, reason, headers, position);
                    return HttpParseStatus.Complete;
                }

                return first && allowUnterminated ? Fail("empty message", out error) : HttpParseStatus.Incomplete;
            }
        }
    }

    private static bool TryParseStatusLine(string line, out int statusCode, out string reason, out string? error)
    {
        // RFC 9112 §4: HTTP-version SP status-code SP [ reason-phrase ]
        statusCode = 0;
        reason = string.Empty;
        var parts = line.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[0].Length != 8 || !char.IsAsciiDigit(parts[0][7]))
        {
            error = $"not an HTTP/1.x status line: '{Untrusted.Quote(line)}'";
            return false;
        }

        if (parts[1].Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out statusCode) || statusCode < 100)
        {
            error = $"bad status code in '{Untrusted.Quote(line)}'";
            return false;
        }

        reason = parts.Length == 3 ? parts[2].Trim() : string.Empty;
        error = null;
        return true;
    }

    private static HttpParseStatus TryDecodeChunked(ReadOnlySpan<byte> data, int maxBodyBytes, out byte[]? body, out string? error)
    {
        // RFC 9112 §7.1: chunk-size [ext] CRLF data CRLF ... 0 CRLF [trailers] CRLF
        body = null;
        error = null;
        using var collected = new MemoryStream();
        var position = 0;
        while (true)
        {
            var newline = data[position..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return data.Length - position > 1024 ? Fail("a chunk-size line longer than 1024 bytes", out error) : HttpParseStatus.Incomplete;
            }

            var sizeLine = Encoding.Latin1.GetString(data.Slice(position, newline)).TrimEnd('\r');
            var semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
            var sizeText = (semicolon < 0 ? sizeLine : sizeLine[..semicolon]).Trim();
            if (sizeText.Length is 0 or > 8 || !int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                return Fail($"bad chunk size '{Untrusted.Quote(sizeLine)}'", out error);
            }

            position += newline + 1;
            if (size == 0)
            {
                // Trailer fields until an empty line.
                while (true)
                {
                    var end = data[position..].IndexOf((byte)'\n');
                    if (end < 0)
                    {
                        return HttpParseStatus.Incomplete;
                    }

                    var empty = end == 0 || (end == 1 && data[position] == '\r');
                    position += end + 1;
                    if (empty)
                    {
                        body = collected.ToArray();
                        return HttpParseStatus.Complete;
                    }
                }
            }

            if (collected.Length + size > maxBodyBytes)
            {
                return Fail($"the chunked body is more than the {maxBodyBytes} bytes accepted", out error);
            }

            if (data.Length - position < size + 1)
            {
                return HttpParseStatus.Incomplete;
            }

            collected.Write(data.Slice(position, size));
            position += size;
            if (data[position] == '\r')
            {
                position++;
                if (position >= data.Length)
                {
                    return HttpParseStatus.Incomplete;
                }
            }

            if (data[position] != '\n')
            {
                return Fail("a chunk is not followed by CRLF", out error);
            }

            position++;
        }
    }

    private static bool IsToken(ReadOnlySpan<char> name)
    {
        // RFC 9110 §5.6.2 tchar.
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static HttpParseStatus Fail(string message, out string? error)
    {
        error = message;
        return HttpParseStatus.Invalid;
    }
}
