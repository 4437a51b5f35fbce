using System.Buffers;
using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace EPostEdge.EdgeNode.Mail.Imap.Fetch;

/// <summary>
/// RFC 9051 §7.5.2 ENVELOPE: (date subject from sender reply-to to cc bcc in-reply-to message-id).
/// Date, subject, in-reply-to and message-id are the raw header values, unfolded (CR and LF removed)
/// and trimmed, byte-exact (8-bit headers go out as literals). Address display names are decoded by
/// MimeKit (RFC 2047) and, when not ASCII, re-encoded as one UTF-8 encoded-word so the response
/// stays 7-bit for IMAP4rev1 clients, as Dovecot's raw encoded-word form does; MailKit decodes both.
/// </summary>
internal static class EnvelopeWriter
{
    /// <summary>
    /// Host of an address without a domain: NIL would mean group syntax (RFC 9051 §7.5.2), so a
    /// placeholder is sent, as Dovecot does.
    /// </summary>
    private const string MissingDomain = "MISSING_DOMAIN";

    public static void Write(HeaderList headers, IBufferWriter<byte> output)
    {
        ImapWire.WriteRaw(output, "("u8);
        WriteRawValue(headers, HeaderId.Date, output);
        ImapWire.WriteRaw(output, " "u8);
        WriteRawValue(headers, HeaderId.Subject, output);

        var from = ParseAddresses(headers, HeaderId.From);
        ImapWire.WriteRaw(output, " "u8);
        WriteAddresses(from, output);

        // RFC 9051 §7.5.2: an absent or empty Sender or Reply-To takes the value of From.
        var sender = ParseAddresses(headers, HeaderId.Sender);
        ImapWire.WriteRaw(output, " "u8);
        WriteAddresses(sender is { Count: > 0 } ? sender : from, output);
        var replyTo = ParseAddresses(headers, HeaderId.ReplyTo);
        ImapWire.WriteRaw(output, " "u8);
        WriteAddresses(replyTo is { Count: > 0 } ? replyTo : from, output);

        foreach (var id in (ReadOnlySpan<HeaderId>)[HeaderId.To, HeaderId.Cc, HeaderId.Bcc])
        {
            ImapWire.WriteRaw(output, " "u8);
            WriteAddresses(ParseAddresses(headers, id), output);
        }

        ImapWire.WriteRaw(output, " "u8);
        WriteRawValue(headers, HeaderId.InReplyTo, output);
        ImapWire.WriteRaw(output, " "u8);
        WriteRawValue(headers, HeaderId.MessageId, output);
        ImapWire.WriteRaw(output, ")"u8);
    }

    /// <summary>nstring of the first such header's raw value, unfolded and trimmed; NIL when absent.</summary>
    public static void WriteRawValue(HeaderList headers, HeaderId id, IBufferWriter<byte> output)
    {
        var index = headers.IndexOf(id);
        if (index < 0)
        {
            ImapWire.WriteRaw(output, "NIL"u8);
            return;
        }

        WriteUnfolded(headers[index].RawValue, output);
    }

    /// <summary>string of raw header bytes with CR and LF removed (RFC 5322 §2.2.3) and SP/HTAB trimmed.</summary>
    public static void WriteUnfolded(ReadOnlySpan<byte> raw, IBufferWriter<byte> output)
    {
        var rented = raw.Length <= 256 ? null : ArrayPool<byte>.Shared.Rent(raw.Length);
        var buffer = rented is null ? stackalloc byte[raw.Length] : rented.AsSpan(0, raw.Length);
        var n = 0;
        foreach (var b in raw)
        {
            if (b is not ((byte)'\r' or (byte)'\n'))
            {
                buffer[n++] = b;
            }
        }

        ImapWire.WriteString(output, buffer[..n].Trim(" \t"u8));
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A display name or group name: quoted when ASCII, else one UTF-8 encoded-word (RFC 2047).</summary>
    public static void WriteText(string? text, IBufferWriter<byte> output)
    {
        if (text is null)
        {
            ImapWire.WriteRaw(output, "NIL"u8);
            return;
        }

        if (Ascii.IsValid(text))
        {
            ImapWire.WriteString(output, text);
            return;
        }

        var encoded = Rfc2047.EncodePhrase(Encoding.UTF8, text);
        WriteUnfolded(encoded, output);
    }

    private static InternetAddressList? ParseAddresses(HeaderList headers, HeaderId id)
    {
        var index = headers.IndexOf(id);
        if (index < 0)
        {
            return null;
        }

        var raw = headers[index].RawValue;
        return InternetAddressList.TryParse(ParserOptions.Default, raw, out var list) ? list : null;
    }

    private static void WriteAddresses(InternetAddressList? list, IBufferWriter<byte> output)
    {
        if (list is null || list.Count == 0)
        {
            ImapWire.WriteRaw(output, "NIL"u8);
            return;
        }

        ImapWire.WriteRaw(output, "("u8);
        foreach (var address in list)
        {
            WriteAddress(address, output);
        }

        ImapWire.WriteRaw(output, ")"u8);
    }

    private static void WriteAddress(InternetAddress address, IBufferWriter<byte> output)
    {
        switch (address)
        {
            case MailboxAddress mailbox:
                ImapWire.WriteRaw(output, "("u8);
                WriteText(string.IsNullOrEmpty(mailbox.Name) ? null : mailbox.Name, output);
                ImapWire.WriteRaw(output, " "u8);
                if (mailbox.Route.Count == 0)
                {
                    ImapWire.WriteRaw(output, "NIL"u8);
                }
                else
                {
                    // The at-domain-list of a source route (RFC 5322 §4.4 obs-route), without its colon.
                    ImapWire.WriteString(output, "@" + string.Join(",@", mailbox.Route));
                }

                ImapWire.WriteRaw(output, " "u8);
                ImapWire.WriteString(output, mailbox.LocalPart);
                ImapWire.WriteRaw(output, " "u8);
                ImapWire.WriteString(output, string.IsNullOrEmpty(mailbox.Domain) ? MissingDomain : mailbox.Domain);
                ImapWire.WriteRaw(output, ")"u8);
                break;

            case GroupAddress group:
                // RFC 9051 §7.5.2: group start (NIL NIL "name" NIL), members, end (NIL NIL NIL NIL).
                ImapWire.WriteRaw(output, "(NIL NIL "u8);
                WriteText(group.Name ?? string.Empty, output);
                ImapWire.WriteRaw(output, " NIL)"u8);
                foreach (var member in group.Members)
                {
                    WriteAddress(member, output);
                }

                ImapWire.WriteRaw(output, "(NIL NIL NIL NIL)"u8);
                break;
        }
    }
}
