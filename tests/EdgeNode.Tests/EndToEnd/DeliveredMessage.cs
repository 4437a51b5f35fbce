using System.Text;

namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>
/// How a delivered message is compared with what was sent. An SMTP server adds trace
/// information at the top of the message (RFC 5321 §4.4: a <c>Received:</c> line per hop,
/// <c>Return-Path:</c> at final delivery) and must change nothing else. So the bytes read back
/// with <c>BODY[]</c> must be: zero or more whole <c>Received:</c>/<c>Return-Path:</c> header
/// fields, then exactly the bytes the client sent (after SMTP dot-unstuffing). A message added
/// with IMAP APPEND must come back with no prefix at all.
/// </summary>
internal static class DeliveredMessage
{
    private static readonly string[] TraceFields = ["Received", "Return-Path"];

    public static void AssertIdenticalAfterTrace(byte[] sent, byte[] stored)
    {
        var prefixLength = stored.Length - sent.Length;
        Assert.True(prefixLength >= 0 && stored.AsSpan(prefixLength).SequenceEqual(sent),
            $"the stored message does not end with the sent bytes (sent {sent.Length} bytes, stored {stored.Length}).\n{Describe(sent, stored)}");
        var prefix = Encoding.ASCII.GetString(stored, 0, prefixLength);
        Assert.True(prefix.Length == 0 || prefix.EndsWith("\r\n", StringComparison.Ordinal), $"the prepended trace fields do not end in CRLF:\n{prefix}");
        foreach (var line in prefix.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            // A folded line continues the field above (RFC 5322 §2.2.3).
            var continuation = line[0] is ' ' or '\t';
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.True(continuation || (colon > 0 && TraceFields.Contains(line[..colon], StringComparer.OrdinalIgnoreCase)),
                $"the server added more than trace fields (RFC 5321 §4.4) at the top: '{line}'");
        }
    }

    public static void AssertIdentical(byte[] sent, byte[] stored) =>
        Assert.True(sent.AsSpan().SequenceEqual(stored), $"the stored message differs from the appended one (sent {sent.Length} bytes, stored {stored.Length}).\n{Describe(sent, stored)}");

    private static string Describe(byte[] sent, byte[] stored)
    {
        var head = Encoding.ASCII.GetString(stored, 0, Math.Min(stored.Length, 1500));
        var common = 0;
        var offset = Math.Max(0, stored.Length - sent.Length);
        while (common < sent.Length && offset + common < stored.Length && sent[common] == stored[offset + common])
        {
            common++;
        }

        return $"aligned at the end, the first difference is at sent byte {common}; the stored message begins:\n{head}";
    }
}
