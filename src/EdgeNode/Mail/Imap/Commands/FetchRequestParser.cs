using System.Globalization;
using EPostEdge.EdgeNode.Mail.Imap.Fetch;
using EPostEdge.EdgeNode.Mail.Imap.Parsing;

namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>Reads FETCH arguments (RFC 9051 §6.4.5): sequence-set, items or macro, modifiers.</summary>
public static class FetchRequestParser
{
    public static bool TryParse(IReadOnlyList<ImapToken> args, out FetchRequest request, out string error)
    {
        request = null!;
        error = "Expected: sequence-set items";
        if (args.Count < 2 || !args[0].IsAtom || !SequenceSet.TryParse(args[0].Text, out var set))
        {
            return false;
        }

        var items = new List<FetchItem>();
        if (args[1].IsList)
        {
            foreach (var token in args[1].Items)
            {
                if (!token.IsAtom || !TryParseItem(token.Text, items, out error))
                {
                    error = token.IsAtom ? error : "Bad fetch item";
                    return false;
                }
            }

            if (items.Count == 0)
            {
                error = "Empty fetch item list";
                return false;
            }
        }
        else if (!args[1].IsAtom || !TryParseMacroOrItem(args[1].Text, items, out error))
        {
            return false;
        }

        ulong? changedSince = null;
        if (args.Count > 2)
        {
            // RFC 7162 §3.1.4.1: (CHANGEDSINCE modseq); also implies MODSEQ.
            if (args.Count != 3 || !args[2].IsList || args[2].Items.Count != 2 || !args[2].Items[0].IsWord("CHANGEDSINCE")
                || !ulong.TryParse(args[2].Items[1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var since))
            {
                error = "Bad fetch modifier";
                return false;
            }

            changedSince = since;
            if (!items.Exists(static i => i.Kind == FetchItemKind.ModSeq))
            {
                items.Add(new FetchItem(FetchItemKind.ModSeq, Label: "MODSEQ"));
            }
        }

        request = new FetchRequest(set, items, changedSince);
        error = string.Empty;
        return true;
    }

    private static bool TryParseMacroOrItem(string text, List<FetchItem> items, out string error)
    {
        error = string.Empty;
        switch (text.ToUpperInvariant())
        {
            case "ALL":
                items.AddRange([Simple(FetchItemKind.Flags), Simple(FetchItemKind.InternalDate), Simple(FetchItemKind.Rfc822Size), Simple(FetchItemKind.Envelope)]);
                return true;
            case "FAST":
                items.AddRange([Simple(FetchItemKind.Flags), Simple(FetchItemKind.InternalDate), Simple(FetchItemKind.Rfc822Size)]);
                return true;
            case "FULL":
                items.AddRange([Simple(FetchItemKind.Flags), Simple(FetchItemKind.InternalDate), Simple(FetchItemKind.Rfc822Size), Simple(FetchItemKind.Envelope), Simple(FetchItemKind.Body)]);
                return true;
            default:
                return TryParseItem(text, items, out error);
        }
    }

    private static FetchItem Simple(FetchItemKind kind) => new(kind, Label: kind switch
    {
        FetchItemKind.Uid => "UID",
        FetchItemKind.Flags => "FLAGS",
        FetchItemKind.InternalDate => "INTERNALDATE",
        FetchItemKind.Rfc822Size => "RFC822.SIZE",
        FetchItemKind.Envelope => "ENVELOPE",
        FetchItemKind.BodyStructure => "BODYSTRUCTURE",
        FetchItemKind.Body => "BODY",
        FetchItemKind.Rfc822 => "RFC822",
        FetchItemKind.Rfc822Header => "RFC822.HEADER",
        FetchItemKind.Rfc822Text => "RFC822.TEXT",
        FetchItemKind.ModSeq => "MODSEQ",
        _ => kind.ToString().ToUpperInvariant(),
    });

    /// <summary>One fetch-att, e.g. <c>BODY.PEEK[1.HEADER.FIELDS (From To)]&lt;0.100&gt;</c>.</summary>
    public static bool TryParseItem(string text, List<FetchItem> items, out string error)
    {
        error = "Unknown fetch item " + text;
        var bracket = text.IndexOf('[', StringComparison.Ordinal);
        var head = (bracket < 0 ? text : text[..bracket]).ToUpperInvariant();
        if (bracket < 0)
        {
            FetchItemKind? kind = head switch
            {
                "UID" => FetchItemKind.Uid,
                "FLAGS" => FetchItemKind.Flags,
                "INTERNALDATE" => FetchItemKind.InternalDate,
                "RFC822.SIZE" => FetchItemKind.Rfc822Size,
                "ENVELOPE" => FetchItemKind.Envelope,
                "BODYSTRUCTURE" => FetchItemKind.BodyStructure,
                "BODY" => FetchItemKind.Body,
                "RFC822" => FetchItemKind.Rfc822,
                "RFC822.HEADER" => FetchItemKind.Rfc822Header,
                "RFC822.TEXT" => FetchItemKind.Rfc822Text,
                "MODSEQ" => FetchItemKind.ModSeq,
                _ => null,
            };
            if (kind is null)
            {
                return false;
            }

            items.Add(Simple(kind.Value));
            return true;
        }

        var close = text.IndexOf(']', bracket);
        if (close < 0)
        {
            return false;
        }

        var (itemKind, peek, labelHead) = head switch
        {
            "BODY" => (FetchItemKind.BodySection, false, "BODY"),
            "BODY.PEEK" => (FetchItemKind.BodySection, true, "BODY"),
            "BINARY" => (FetchItemKind.BinarySection, false, "BINARY"),
            "BINARY.PEEK" => (FetchItemKind.BinarySection, true, "BINARY"),
            "BINARY.SIZE" => (FetchItemKind.BinarySize, true, "BINARY.SIZE"),
            _ => ((FetchItemKind)(-1), false, string.Empty),
        };
        if ((int)itemKind < 0 || !TryParseSection(text[(bracket + 1)..close], itemKind != FetchItemKind.BodySection, out var section, out var canonical))
        {
            error = "Bad section in " + text;
            return false;
        }

        var rest = text[(close + 1)..];
        if (rest.Length > 0)
        {
            // <start.length>; partials are not allowed on BINARY.SIZE (RFC 3516 §4.2).
            if (itemKind == FetchItemKind.BinarySize || !TryParsePartial(rest, out var start, out var length))
            {
                error = "Bad partial in " + text;
                return false;
            }

            section = section with { PartialStart = start, PartialLength = length };
        }

        items.Add(new FetchItem(itemKind, section, peek, labelHead + "[" + canonical + "]"));
        return true;
    }

    /// <summary>section-spec (RFC 9051 §9); BINARY takes part numbers only (RFC 3516 §4.1).</summary>
    public static bool TryParseSection(string spec, bool partOnly, out BodySection section, out string canonical)
    {
        section = null!;
        canonical = string.Empty;
        var parts = new List<int>();
        var i = 0;
        while (i < spec.Length && char.IsAsciiDigit(spec[i]))
        {
            var start = i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i]))
            {
                i++;
            }

            if (spec[start] == '0' || !int.TryParse(spec.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var part))
            {
                return false;
            }

            parts.Add(part);
            if (i < spec.Length)
            {
                if (spec[i] != '.')
                {
                    return false;
                }

                i++;
                if (i == spec.Length)
                {
                    return false; // a trailing dot
                }
            }
        }

        var textPart = spec[i..];
        var prefix = string.Join('.', parts);
        var fields = new List<string>();
        SectionText kind;
        var upper = textPart.ToUpperInvariant();
        if (upper.Length == 0)
        {
            kind = SectionText.All;
        }
        else if (partOnly)
        {
            return false;
        }
        else if (upper == "HEADER")
        {
            kind = SectionText.Header;
        }
        else if (upper == "TEXT")
        {
            kind = SectionText.Text;
        }
        else if (upper == "MIME" && parts.Count > 0)
        {
            kind = SectionText.Mime;
        }
        else if (upper.StartsWith("HEADER.FIELDS", StringComparison.Ordinal))
        {
            var not = upper.StartsWith("HEADER.FIELDS.NOT", StringComparison.Ordinal);
            kind = not ? SectionText.HeaderFieldsNot : SectionText.HeaderFields;
            var list = textPart[(not ? 17 : 13)..].Trim();
            if (list.Length < 3 || list[0] != '(' || list[^1] != ')')
            {
                return false;
            }

            foreach (var field in list[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                fields.Add(field.Trim('"'));
            }

            if (fields.Count == 0)
            {
                return false;
            }

            upper = (not ? "HEADER.FIELDS.NOT" : "HEADER.FIELDS") + " (" + string.Join(' ', fields).ToUpperInvariant() + ")";
        }
        else
        {
            return false;
        }

        section = new BodySection(parts, kind, fields);
        canonical = prefix.Length > 0 && upper.Length > 0 ? prefix + "." + upper : prefix + upper;
        return true;
    }

    private static bool TryParsePartial(string text, out long start, out long length)
    {
        start = length = 0;
        if (text.Length < 5 || text[0] != '<' || text[^1] != '>')
        {
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot > 1
            && long.TryParse(text.AsSpan(1, dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out start)
            && long.TryParse(text.AsSpan(dot + 1, text.Length - dot - 2), NumberStyles.None, CultureInfo.InvariantCulture, out length)
            && length > 0;
    }
}
