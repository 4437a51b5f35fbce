using System.Globalization;
using System.Text;

namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>
/// A small, strict-where-it-matters XML reader for the two documents a UPnP control point reads:
/// the device description (UDA 1.1 §2.3) and SOAP responses (UDA 1.1 §3.2.2). It builds a tree of
/// elements and text (<see cref="UpnpXmlNode"/>), decodes the five predefined entities, character
/// references and CDATA, skips comments and processing instructions, and refuses DTDs (no
/// entity expansion: nothing a device sends may make it allocate without bound). Bounded in depth
/// and element count; never throws on its input. Ours rather than System.Xml: the node is one
/// native AOT binary for a Pi, and this is all of XML the NAT code needs.
/// </summary>
internal static class UpnpXml
{
    /// <summary>Deeper nesting is refused (a description nests about 6 levels).</summary>
    public const int MaxDepth = 32;

    /// <summary>More elements are refused (a large router's description has a few hundred).</summary>
    public const int MaxElements = 10_000;

    /// <summary>Parses <paramref name="xml"/> into its root element; false with the reason otherwise.</summary>
    public static bool TryParse(string xml, out UpnpXmlNode? root, out string? error)
    {
        if (Parse(xml, out root, out error))
        {
            return true;
        }

        root = null;
        return false;
    }

    private static bool Parse(string xml, out UpnpXmlNode? root, out string? error)
    {
        root = null;
        var stack = new Stack<UpnpXmlNode>();
        var elements = 0;
        var i = xml.Length > 0 && xml[0] == '\uFEFF' ? 1 : 0;
        while (i < xml.Length)
        {
            if (root is not null && stack.Count == 0)
            {
                // After the root element: anything (some devices pad with NULs or newlines).
                break;
            }

            if (xml[i] != '<')
            {
                var end = xml.IndexOf('<', i);
                if (end < 0)
                {
                    end = xml.Length;
                }

                var raw = xml.AsSpan(i, end - i);
                if (stack.Count == 0)
                {
                    if (!raw.IsWhiteSpace())
                    {
                        return Fail($"text outside the root element at offset {i}", out error);
                    }
                }
                else
                {
                    if (!TryDecode(raw, out var text, out error))
                    {
                        return false;
                    }

                    stack.Peek().AppendText(text);
                }

                i = end;
                continue;
            }

            var rest = xml.AsSpan(i);
            if (rest.StartsWith("<?"))
            {
                if (!Skip(xml, ref i, "?>", out error))
                {
                    return false;
                }
            }
            else if (rest.StartsWith("<!--"))
            {
                if (!Skip(xml, ref i, "-->", out error))
                {
                    return false;
                }
            }
            else if (rest.StartsWith("<![CDATA["))
            {
                var close = xml.IndexOf("]]>", i, StringComparison.Ordinal);
                if (close < 0)
                {
                    return Fail("unterminated CDATA section", out error);
                }

                if (stack.Count == 0)
                {
                    return Fail("CDATA outside the root element", out error);
                }

                stack.Peek().AppendText(xml.AsSpan(i + 9, close - i - 9));
                i = close + 3;
            }
            else if (rest.StartsWith("<!"))
            {
                return Fail("a DTD or declaration: not accepted in UPnP documents", out error);
            }
            else if (rest.StartsWith("</"))
            {
                var close = xml.IndexOf('>', i);
                if (close < 0)
                {
                    return Fail("unterminated end tag", out error);
                }

                var name = xml.AsSpan(i + 2, close - i - 2).Trim();
                if (stack.Count == 0 || !name.SequenceEqual(stack.Peek().Name))
                {
                    return Fail(stack.Count == 0
                        ? $"end tag </{Untrusted.Quote(name.ToString())}> without a start tag"
                        : $"end tag </{Untrusted.Quote(name.ToString())}> does not close <{Untrusted.Quote(stack.Peek().Name)}>", out error);
                }

                stack.Pop();
                i = close + 1;
            }
            else
            {
                if (root is not null && stack.Count == 0)
                {
                    return Fail("a second root element", out error);
                }

                if (!TryReadStartTag(xml, ref i, out var name, out var selfClosing, out error))
                {
                    return false;
                }

                if (++elements > MaxElements)
                {
                    return Fail($"more than {MaxElements} elements", out error);
                }

                if (stack.Count >= MaxDepth)
                {
                    return Fail($"elements nested deeper than {MaxDepth}", out error);
                }

                var node = new UpnpXmlNode(name!);
                if (stack.TryPeek(out var parent))
                {
                    parent.Children.Add(node);
                }
                else
                {
                    root = node;
                }

                if (!selfClosing)
                {
                    stack.Push(node);
                }
            }
        }

        if (stack.Count > 0)
        {
            return Fail($"the document ends inside <{Untrusted.Quote(stack.Peek().Name)}>", out error);
        }

        if (root is null)
        {
            return Fail("no element", out error);
        }

        error = null;
        return true;
    }

    /// <summary>Escapes text for an element's content or an attribute value.</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    private static bool TryReadStartTag(string xml, ref int i, out string? name, out bool selfClosing, out string? error)
    {
        name = null;
        selfClosing = false;
        var start = i + 1;
        var j = start;
        while (j < xml.Length && !char.IsWhiteSpace(xml[j]) && xml[j] is not '/' and not '>' and not '<')
        {
            j++;
        }

        if (j == start)
        {
            return Fail($"a '<' that starts no tag at offset {i}", out error);
        }

        name = xml[start..j];
        if (!IsName(name))
        {
            return Fail($"bad element name '{Untrusted.Quote(name)}'", out error);
        }

        // Attributes: name = "value" | 'value', skipped (their entities are not checked).
        while (true)
        {
            while (j < xml.Length && char.IsWhiteSpace(xml[j]))
            {
                j++;
            }

            if (j >= xml.Length)
            {
                return Fail($"unterminated start tag <{Untrusted.Quote(name)}>", out error);
            }

            if (xml[j] == '>')
            {
                i = j + 1;
                error = null;
                return true;
            }

            if (xml[j] == '/')
            {
                if (j + 1 >= xml.Length || xml[j + 1] != '>')
                {
                    return Fail($"bad '/' in start tag <{Untrusted.Quote(name)}>", out error);
                }

                selfClosing = true;
                i = j + 2;
                error = null;
                return true;
            }

            var attributeStart = j;
            while (j < xml.Length && xml[j] != '=' && !char.IsWhiteSpace(xml[j]) && xml[j] is not '>' and not '/' and not '<')
            {
                j++;
            }

            if (j == attributeStart || !IsName(xml.AsSpan(attributeStart, j - attributeStart)))
            {
                return Fail($"bad attribute in <{Untrusted.Quote(name)}>", out error);
            }

            while (j < xml.Length && char.IsWhiteSpace(xml[j]))
            {
                j++;
            }

            if (j >= xml.Length || xml[j] != '=')
            {
                return Fail($"attribute without a value in <{Untrusted.Quote(name)}>", out error);
            }

            j++;
            while (j < xml.Length && char.IsWhiteSpace(xml[j]))
            {
                j++;
            }

            if (j >= xml.Length || xml[j] is not ('"' or '\''))
            {
                return Fail($"unquoted attribute value in <{Untrusted.Quote(name)}>", out error);
            }

            var close = xml.IndexOf(xml[j], j + 1);
            if (close < 0)
            {
                return Fail($"unterminated attribute value in <{Untrusted.Quote(name)}>", out error);
            }

            if (xml.AsSpan(j + 1, close - j - 1).Contains('<'))
            {
                return Fail($"'<' in an attribute value of <{Untrusted.Quote(name)}>", out error);
            }

            j = close + 1;
        }
    }

    private static bool TryDecode(ReadOnlySpan<char> raw, out string text, out string? error)
    {
        var amp = raw.IndexOf('&');
        if (amp < 0)
        {
            text = raw.ToString();
            error = null;
            return true;
        }

        text = string.Empty;
        var builder = new StringBuilder(raw.Length);
        while (amp >= 0)
        {
            builder.Append(raw[..amp]);
            raw = raw[amp..];
            var semicolon = raw.IndexOf(';');
            if (semicolon < 2 || semicolon > 12)
            {
                return Fail($"bad entity reference '{Untrusted.Quote(raw[..Math.Min(raw.Length, 12)].ToString())}'", out error);
            }

            var entity = raw[1..semicolon];
            switch (entity)
            {
                case "lt": builder.Append('<'); break;
                case "gt": builder.Append('>'); break;
                case "amp": builder.Append('&'); break;
                case "quot": builder.Append('"'); break;
                case "apos": builder.Append('\''); break;
                default:
                    if (!TryCharacterReference(entity, out var scalar))
                    {
                        return Fail($"unknown entity '&{Untrusted.Quote(entity.ToString())};'", out error);
                    }

                    builder.Append(char.ConvertFromUtf32(scalar));
                    break;
            }

            raw = raw[(semicolon + 1)..];
            amp = raw.IndexOf('&');
        }

        builder.Append(raw);
        text = builder.ToString();
        error = null;
        return true;
    }

    private static bool TryCharacterReference(ReadOnlySpan<char> entity, out int scalar)
    {
        // XML 1.0 §4.1: &#decimal; or &#xhex; naming a legal character.
        scalar = 0;
        if (entity.Length < 2 || entity[0] != '#')
        {
            return false;
        }

        var ok = entity[1] is 'x'
            ? int.TryParse(entity[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out scalar)
            : int.TryParse(entity[1..], NumberStyles.None, CultureInfo.InvariantCulture, out scalar);
        return ok && scalar is 0x9 or 0xA or 0xD or (>= 0x20 and <= 0xD7FF) or (>= 0xE000 and <= 0xFFFD) or (>= 0x10000 and <= 0x10FFFF);
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || char.IsAsciiDigit(name[0]) || name[0] is '-' or '.')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (char.IsControl(c) || c is '<' or '>' or '&' or '"' or '\'' or '=' or '/')
            {
                return false;
            }
        }

        return true;
    }

    private static bool Skip(string xml, ref int i, string terminator, out string? error)
    {
        var close = xml.IndexOf(terminator, i, StringComparison.Ordinal);
        if (close < 0)
        {
            return Fail($"unterminated '{xml.AsSpan(i, 2)}' at offset {i}", out error);
        }

        i = close + terminator.Length;
        error = null;
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
