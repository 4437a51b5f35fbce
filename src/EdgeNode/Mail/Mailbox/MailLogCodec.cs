using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>
/// Pure encoder and decoder of the mail logs' entry payloads. An entry is
/// <c>version u8 = 1 | log kind u8 | event count varint | events</c>, each event a tag byte and
/// its fields (varints, length-prefixed UTF-8, raw 32-byte block keys, UIDs as ascending deltas).
/// Decoding throws only <see cref="FormatException"/>.
/// </summary>
internal static class MailLogCodec
{
    public const byte FormatVersion = 1;
    private const byte FolderLog = (byte)'F';
    private const byte FolderListLog = (byte)'L';

    private const byte TagAdded = 1;
    private const byte TagFlags = 2;
    private const byte TagExpunged = 3;
    private const byte TagCopiedIn = 4;

    private const byte TagCreated = 1;
    private const byte TagRenamed = 2;
    private const byte TagDeleted = 3;
    private const byte TagSubscription = 4;

    private const MessageFlags AllFlags = MessageFlags.Seen | MessageFlags.Answered | MessageFlags.Flagged | MessageFlags.Deleted | MessageFlags.Draft;

    public static byte[] EncodeFolderEvents(IReadOnlyList<FolderEvent> events)
    {
        var w = Begin(FolderLog, events.Count);
        foreach (var e in events)
        {
            switch (e)
            {
                case FolderEvent.MessageAdded a:
                    w.Byte(TagAdded);
                    WriteMessage(w, a.Body, a.InternalDate, a.Size, a.Flags, a.Keywords);
                    break;
                case FolderEvent.CopiedIn c:
                    w.Byte(TagCopiedIn);
                    w.String(c.FromFolderId);
                    w.VarUInt(c.FromUid);
                    w.Byte(c.Moved ? (byte)1 : (byte)0);
                    WriteMessage(w, c.Body, c.InternalDate, c.Size, c.Flags, c.Keywords);
                    break;
                case FolderEvent.FlagsChanged f:
                    w.Byte(TagFlags);
                    w.Uids(f.Uids);
                    w.Byte((byte)f.Operation);
                    w.Byte((byte)f.Flags);
                    w.Strings(f.Keywords);
                    break;
                case FolderEvent.Expunged x:
                    w.Byte(TagExpunged);
                    w.Uids(x.Uids);
                    break;
                default:
                    throw new ArgumentException($"unknown folder event {e.GetType().Name}", nameof(events));
            }
        }

        return w.ToArray();
    }

    public static IReadOnlyList<FolderEvent> DecodeFolderEvents(ReadOnlySpan<byte> payload)
    {
        var r = new MailLogReader(payload);
        var count = Begin(ref r, FolderLog);
        var events = new List<FolderEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var tag = r.Byte();
            events.Add(tag switch
            {
                TagAdded => ReadAdded(ref r),
                TagCopiedIn => ReadCopiedIn(ref r),
                TagFlags => new FolderEvent.FlagsChanged(r.Uids(), Operation(r.Byte()), Flags(r.Byte()), r.Strings()),
                TagExpunged => new FolderEvent.Expunged(r.Uids()),
                _ => throw new FormatException($"folder log entry: unknown event tag {tag}"),
            });
        }

        return End(ref r, events);
    }

    public static byte[] EncodeFolderListEvents(IReadOnlyList<FolderListEvent> events)
    {
        var w = Begin(FolderListLog, events.Count);
        foreach (var e in events)
        {
            switch (e)
            {
                case FolderListEvent.Created c:
                    w.Byte(TagCreated);
                    w.String(c.Id);
                    w.String(c.Name);
                    w.Byte((byte)c.SpecialUse);
                    w.VarUInt(c.UidValidity);
                    break;
                case FolderListEvent.Renamed n:
                    w.Byte(TagRenamed);
                    w.String(n.Id);
                    w.String(n.NewName);
                    break;
                case FolderListEvent.Deleted d:
                    w.Byte(TagDeleted);
                    w.String(d.Id);
                    break;
                case FolderListEvent.Subscription s:
                    w.Byte(TagSubscription);
                    w.String(s.Name);
                    w.Byte(s.Subscribed ? (byte)1 : (byte)0);
                    break;
                default:
                    throw new ArgumentException($"unknown folder-list event {e.GetType().Name}", nameof(events));
            }
        }

        return w.ToArray();
    }

    public static IReadOnlyList<FolderListEvent> DecodeFolderListEvents(ReadOnlySpan<byte> payload)
    {
        var r = new MailLogReader(payload);
        var count = Begin(ref r, FolderListLog);
        var events = new List<FolderListEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var tag = r.Byte();
            events.Add(tag switch
            {
                TagCreated => new FolderListEvent.Created(r.String(), r.String(), Use(r.Byte()), r.VarUInt32()),
                TagRenamed => new FolderListEvent.Renamed(r.String(), r.String()),
                TagDeleted => new FolderListEvent.Deleted(r.String()),
                TagSubscription => new FolderListEvent.Subscription(r.String(), Bool(r.Byte())),
                _ => throw new FormatException($"folder-list log entry: unknown event tag {tag}"),
            });
        }

        return End(ref r, events);
    }

    private static MailLogWriter Begin(byte kind, int count)
    {
        var w = new MailLogWriter();
        w.Byte(FormatVersion);
        w.Byte(kind);
        w.VarUInt((ulong)count);
        return w;
    }

    private static int Begin(ref MailLogReader r, byte kind)
    {
        if (r.Byte() != FormatVersion)
        {
            throw new FormatException("mail log entry: unsupported format version");
        }

        if (r.Byte() != kind)
        {
            throw new FormatException("mail log entry: entry of another kind of log");
        }

        return r.Count(1);
    }

    private static IReadOnlyList<T> End<T>(ref MailLogReader r, List<T> events) =>
        r.AtEnd ? events : throw new FormatException("mail log entry: trailing bytes");

    private static void WriteMessage(MailLogWriter w, BlockKey body, long internalDate, long size, MessageFlags flags, IReadOnlyList<string> keywords)
    {
        w.Key(body);
        w.Int64(internalDate);
        w.VarUInt(checked((ulong)size));
        w.Byte((byte)flags);
        w.Strings(keywords);
    }

    private static FolderEvent.MessageAdded ReadAdded(ref MailLogReader r)
    {
        var body = r.Key();
        var date = r.Int64();
        var size = Size(r.VarUInt());
        return new FolderEvent.MessageAdded(body, date, size, Flags(r.Byte()), r.Strings());
    }

    private static FolderEvent.CopiedIn ReadCopiedIn(ref MailLogReader r)
    {
        var from = r.String();
        var fromUid = r.VarUInt32();
        var moved = Bool(r.Byte());
        var body = r.Key();
        var date = r.Int64();
        var size = Size(r.VarUInt());
        return new FolderEvent.CopiedIn(from, fromUid, moved, body, date, size, Flags(r.Byte()), r.Strings());
    }

    private static long Size(ulong value) => value <= long.MaxValue ? (long)value : throw new FormatException("mail log entry: size out of range");

    private static MessageFlags Flags(byte value) =>
        (value & ~(int)AllFlags) == 0 ? (MessageFlags)value : throw new FormatException($"mail log entry: unknown flag bits {value:x2}");

    private static FlagOperation Operation(byte value) =>
        value <= (byte)FlagOperation.Remove ? (FlagOperation)value : throw new FormatException($"mail log entry: unknown flag operation {value}");

    private static SpecialUse Use(byte value) =>
        value <= (byte)SpecialUse.Archive ? (SpecialUse)value : throw new FormatException($"mail log entry: unknown special use {value}");

    private static bool Bool(byte value) => value switch
    {
        0 => false,
        1 => true,
        _ => throw new FormatException($"mail log entry: {value} is not a boolean"),
    };
}
