using System.Buffers;
using System.Globalization;
using System.Text;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Past;

namespace EPostEdge.EdgeNode.Overlay;

/// <summary>
/// The control channel's line protocol (DATA/run/control.sock), pure: no I/O. One request per
/// line, answered in order; a client may send many before reading (pipelining).
/// <code>
/// PUT &lt;base64 bytes&gt;   ->  OK &lt;key hex&gt; &lt;replicas&gt;  |  ERR &lt;text&gt;
/// GET &lt;key hex&gt;        ->  OK &lt;base64 bytes&gt;         |  NOTFOUND  |  ERR &lt;text&gt;
/// </code>
/// Lines end with LF (a CR before it is ignored). A PUT is answered OK once a majority of the
/// key's replica set confirmed holding the bytes (PAST insert, acknowledged); the key is the
/// SHA-256 of the bytes.
/// </summary>
internal static class ControlProtocol
{
    /// <summary>The longest line either side accepts: a 16 MiB object in base64 and the verb.</summary>
    public const int MaxLineBytes = 24 << 20;

    public const string Ok = "OK";

    public const string NotFound = "NOTFOUND";

    public const string Error = "ERR";

    /// <summary>
    /// Takes one whole line off the front of <paramref name="buffer"/>; false, consuming nothing,
    /// when no line is complete yet.
    /// </summary>
    public static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out line, (byte)'\n'))
        {
            line = default;
            return false;
        }

        buffer = buffer.Slice(reader.Position);
        return true;
    }

    /// <summary>Parses a request line (without its LF).</summary>
    public static ControlRequest ParseRequest(ReadOnlySequence<byte> line)
    {
        if (line.Length > MaxLineBytes)
        {
            return ControlRequest.Invalid("line too long");
        }

        var text = Encoding.ASCII.GetString(line).TrimEnd('\r');
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var verb = space < 0 ? text : text[..space];
        var argument = space < 0 ? string.Empty : text[(space + 1)..];
        if (verb.Equals("PUT", StringComparison.OrdinalIgnoreCase))
        {
            var content = new byte[argument.Length / 4 * 3];
            return Convert.TryFromBase64String(argument, content, out var written)
                ? new ControlRequest(ControlVerb.Put, content[..written], default, null)
                : ControlRequest.Invalid("PUT needs the object's bytes in base64");
        }

        if (verb.Equals("GET", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseKey(argument, out var key)
                ? new ControlRequest(ControlVerb.Get, [], key, null)
                : ControlRequest.Invalid($"GET needs a key of {BlockKey.Size * 2} hex digits");
        }

        return ControlRequest.Invalid(verb.Length == 0 ? "empty line" : $"unknown command '{(verb.Length > 16 ? verb[..16] : verb)}' (PUT, GET)");
    }

    /// <summary>A content key in hex (64 digits, either case).</summary>
    public static bool TryParseKey(string text, out BlockKey key)
    {
        key = default;
        text = text.Trim();
        if (text.Length != BlockKey.Size * 2 || !text.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        key = BlockKey.Parse(text);
        return true;
    }

    /// <summary>The answer to a PUT.</summary>
    public static string PutAnswer(InsertOutcome outcome) => outcome.Acknowledged
        ? string.Create(CultureInfo.InvariantCulture, $"{Ok} {outcome.Key} {outcome.Replicas}")
        : string.Create(CultureInfo.InvariantCulture, $"{Error} {outcome.Key} not acknowledged: {outcome.Replicas} replicas confirmed{(outcome.QuotaRefused ? " (a holder's contributed quota is full)" : string.Empty)}");

    /// <summary>The answer to a GET.</summary>
    public static string GetAnswer(byte[]? content) => content is null ? NotFound : $"{Ok} {Convert.ToBase64String(content)}";

    /// <summary>An error answer; line breaks in <paramref name="text"/> would end the line early, so they become spaces.</summary>
    public static string ErrorAnswer(string text) => $"{Error} {text.ReplaceLineEndings(" ")}";
}
