using System.Buffers;
using System.Text;
using CsCheck;
using EPostEdge.EdgeNode.Overlay;
using EPostEdge.EdgeNode.Tests.Mail.Smtp;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Past;

namespace EPostEdge.EdgeNode.Tests.Overlay;

/// <summary>The control channel's line protocol: framing over prefixes and segment splits, requests, answers.</summary>
public sealed class ControlProtocolTests
{
    private static readonly byte[] Hello = "hello world"u8.ToArray();

    private static readonly byte[] Conversation = Encoding.ASCII.GetBytes(
        $"PUT {Convert.ToBase64String(Hello)}\n" +
        $"GET {BlockKey.Of(Hello)}\r\n" +
        "get " + BlockKey.Of(Hello).ToString().ToUpperInvariant() + "\n" +
        "PUT !!notbase64\n" +
        "GET 1234\n" +
        "DELETE x\n" +
        "\n");

    private static readonly string[] Expected =
    [
        $"Put {Convert.ToBase64String(Hello)}",
        $"Get {BlockKey.Of(Hello)}",
        $"Get {BlockKey.Of(Hello)}",
        "Invalid PUT needs the object's bytes in base64",
        "Invalid GET needs a key of 64 hex digits",
        "Invalid unknown command 'DELETE' (PUT, GET)",
        "Invalid empty line",
    ];

    [Fact]
    public void Every_prefix_yields_only_its_complete_lines_and_consumes_nothing_more()
    {
        for (var length = 0; length <= Conversation.Length; length++)
        {
            var prefix = Conversation.AsSpan(0, length);
            var complete = prefix.LastIndexOf((byte)'\n') + 1;
            var (requests, consumed) = ParseAll(new ReadOnlySequence<byte>(prefix.ToArray()));
            Assert.Equal(complete, consumed);
            Assert.Equal(Expected.Take(prefix[..complete].Count((byte)'\n')), requests);
        }
    }

    [Fact]
    public void Every_split_across_two_segments_parses_identically()
    {
        for (var at = 0; at <= Conversation.Length; at++)
        {
            var (requests, consumed) = ParseAll(BufferSegment.Split(Conversation, at));
            Assert.Equal(Conversation.Length, consumed);
            Assert.Equal(Expected, requests);
        }
    }

    [Fact]
    public void Any_bytes_round_trip_through_a_put_line()
    {
        Gen.Byte.Array[0, 5000].Sample(content =>
        {
            var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes($"PUT {Convert.ToBase64String(content)}\n"));
            Assert.True(ControlProtocol.TryReadLine(ref buffer, out var line));
            var request = ControlProtocol.ParseRequest(line);
            Assert.Equal(ControlVerb.Put, request.Verb);
            Assert.Equal(content, request.Content);
            Assert.True(buffer.IsEmpty);
        });
    }

    [Fact]
    public void Answers_say_ok_with_key_and_replicas_or_why_not()
    {
        var key = BlockKey.Of(Hello);
        Assert.Equal($"OK {key} 3", ControlProtocol.PutAnswer(new InsertOutcome(key, 3, true, false)));
        Assert.Equal($"ERR {key} not acknowledged: 1 replicas confirmed (a holder's contributed quota is full)", ControlProtocol.PutAnswer(new InsertOutcome(key, 1, false, true)));
        Assert.Equal($"OK {Convert.ToBase64String(Hello)}", ControlProtocol.GetAnswer(Hello));
        Assert.Equal("NOTFOUND", ControlProtocol.GetAnswer(null));
        Assert.Equal("ERR two lines", ControlProtocol.ErrorAnswer("two\nlines"));
    }

    private static (List<string> Requests, long Consumed) ParseAll(ReadOnlySequence<byte> buffer)
    {
        var start = buffer.Length;
        var requests = new List<string>();
        while (ControlProtocol.TryReadLine(ref buffer, out var line))
        {
            var request = ControlProtocol.ParseRequest(line);
            requests.Add(request.Verb switch
            {
                ControlVerb.Put => $"Put {Convert.ToBase64String(request.Content)}",
                ControlVerb.Get => $"Get {request.Key}",
                _ => $"Invalid {request.Error}",
            });
        }

        return (requests, start - buffer.Length);
    }
}
