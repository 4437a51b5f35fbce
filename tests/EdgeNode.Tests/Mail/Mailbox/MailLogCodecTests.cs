using CsCheck;
using EPostEdge.EdgeNode.Mail.Mailbox;
using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Tests.Mail.Mailbox;

public sealed class MailLogCodecTests
{
    private static readonly Gen<string> Text = Gen.String[Gen.OneOf(Gen.Char[' ', '~'], Gen.Const('ü'), Gen.Const('日')), 0, 20];
    private static readonly Gen<string[]> Keywords = Text.Array[0, 4];
    private static readonly Gen<BlockKey> Key = Gen.Byte.Array[BlockKey.Size].Select(b => new BlockKey(b));
    private static readonly Gen<MessageFlags> Flags = Gen.Int[0, 31].Select(i => (MessageFlags)i);
    private static readonly Gen<uint[]> Uids = Gen.UInt[1, uint.MaxValue].Array[0, 30].Select(u => u.Distinct().Order().ToArray());

    private static readonly Gen<FolderEvent.MessageAdded> Added =
        Gen.Select(Key, Gen.Long, Gen.Long[0, long.MaxValue], Flags, Keywords)
            .Select((k, d, s, f, kw) => new FolderEvent.MessageAdded(k, d, s, f, kw));

    private static readonly Gen<FolderEvent> FolderEvents = Gen.OneOf<FolderEvent>(
        Added.Select(a => (FolderEvent)a),
        Gen.Select(Text, Gen.UInt, Gen.Bool, Added)
            .Select((from, uid, moved, a) => (FolderEvent)new FolderEvent.CopiedIn(from, uid, moved, a.Body, a.InternalDate, a.Size, a.Flags, a.Keywords)),
        Gen.Select(Uids, Gen.Int[0, 2], Flags, Keywords)
            .Select((u, op, f, kw) => (FolderEvent)new FolderEvent.FlagsChanged(u, (FlagOperation)op, f, kw)),
        Uids.Select(u => (FolderEvent)new FolderEvent.Expunged(u)));

    private static readonly Gen<FolderListEvent> FolderListEvents = Gen.OneOf<FolderListEvent>(
        Gen.Select(Text, Text, Gen.Int[0, 5], Gen.UInt).Select((id, n, u, v) => (FolderListEvent)new FolderListEvent.Created(id, n, (SpecialUse)u, v)),
        Gen.Select(Text, Text).Select((id, n) => (FolderListEvent)new FolderListEvent.Renamed(id, n)),
        Text.Select(id => (FolderListEvent)new FolderListEvent.Deleted(id)),
        Gen.Select(Text, Gen.Bool).Select((n, s) => (FolderListEvent)new FolderListEvent.Subscription(n, s)));

    [Fact]
    public void Folder_events_round_trip() =>
        FolderEvents.List[0, 8].Sample(events =>
        {
            var encoded = MailLogCodec.EncodeFolderEvents(events);
            var decoded = MailLogCodec.DecodeFolderEvents(encoded);
            Assert.Equal(events.Select(Describe), decoded.Select(Describe));
            Assert.Equal(encoded, MailLogCodec.EncodeFolderEvents(decoded));
        });

    [Fact]
    public void Folder_list_events_round_trip() =>
        FolderListEvents.List[0, 8].Sample(events =>
        {
            var encoded = MailLogCodec.EncodeFolderListEvents(events);
            Assert.Equal(events, MailLogCodec.DecodeFolderListEvents(encoded));
        });

    [Fact]
    public void Truncated_or_altered_entries_fail_only_with_FormatException() =>
        Gen.Select(FolderEvents.List[1, 4], Gen.Int[0, 1000], Gen.Byte).Sample((events, at, value) =>
        {
            var encoded = MailLogCodec.EncodeFolderEvents(events);
            var cut = encoded.AsSpan(0, at % encoded.Length).ToArray();
            var altered = (byte[])encoded.Clone();
            altered[at % altered.Length] = value;
            AssertOnlyFormatErrors(() => MailLogCodec.DecodeFolderEvents(cut));
            AssertOnlyFormatErrors(() => MailLogCodec.DecodeFolderEvents(altered));
            AssertOnlyFormatErrors(() => MailLogCodec.DecodeFolderListEvents(altered));
        });

    [Fact]
    public void Random_bytes_fail_only_with_FormatException() =>
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            AssertOnlyFormatErrors(() => MailLogCodec.DecodeFolderEvents(bytes));
            AssertOnlyFormatErrors(() => MailLogCodec.DecodeFolderListEvents(bytes));
            AssertOnlyFormatErrors(() => MailLogCodec.DecodeFolderEvents([MailLogCodec.FormatVersion, (byte)'F', .. bytes]));
            AssertOnlyFormatErrors(() => MailLogCodec.DecodeFolderListEvents([MailLogCodec.FormatVersion, (byte)'L', .. bytes]));
        });

    [Fact]
    public void An_entry_of_the_other_log_kind_is_refused()
    {
        var list = MailLogCodec.EncodeFolderListEvents([new FolderListEvent.Deleted("x")]);
        Assert.Throws<FormatException>(() => MailLogCodec.DecodeFolderEvents(list));
    }

    private static void AssertOnlyFormatErrors(Action decode)
    {
        try
        {
            decode();
        }
        catch (FormatException)
        {
            // The only failure a decoder may report.
        }
    }

    // Records holding lists compare by reference: compare a rendering instead.
    private static string Describe(FolderEvent e) => e switch
    {
        FolderEvent.MessageAdded a => $"A {a.Body} {a.InternalDate} {a.Size} {a.Flags} {string.Join('|', a.Keywords)}",
        FolderEvent.CopiedIn c => $"C {c.FromFolderId} {c.FromUid} {c.Moved} {c.Body} {c.InternalDate} {c.Size} {c.Flags} {string.Join('|', c.Keywords)}",
        FolderEvent.FlagsChanged f => $"F {string.Join(',', f.Uids)} {f.Operation} {f.Flags} {string.Join('|', f.Keywords)}",
        FolderEvent.Expunged x => $"X {string.Join(',', x.Uids)}",
        _ => "?",
    };
}
