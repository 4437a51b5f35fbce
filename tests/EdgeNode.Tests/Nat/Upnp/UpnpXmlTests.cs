using System.Text;
using CsCheck;
using EPostEdge.EdgeNode.Nat.Upnp;

namespace EPostEdge.EdgeNode.Tests.Nat.Upnp;

/// <summary>The small XML reader: trees written with escapes, CDATA, comments and prefixes read back; bad XML is an error, never an exception.</summary>
public sealed class UpnpXmlTests
{
    private static readonly string[] Pieces = ["a", "Z", "0", " ", "<", ">", "&", "\"", "'", "é", "€", "😀", "\n", "\t", "]]", "&amp;"];

    private sealed record Element(string Name, string Text, List<Element> Children);

    [Fact]
    public void Written_trees_read_back()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var tree = Build(random, 0);
            var xml = new StringBuilder();
            if (random.Next(2) == 0)
            {
                xml.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<!-- made by a test -->\n");
            }

            Write(tree, xml, random);
            xml.Append("\r\n");
            Assert.True(UpnpXml.TryParse(xml.ToString(), out var root, out var error), $"{error}\n{xml}");
            AssertSame(tree, root!);
        }, iter: 2000);
    }

    [Fact]
    public void Prefixes_are_dropped_from_local_names_but_end_tags_must_match_as_written()
    {
        Assert.True(UpnpXml.TryParse("<s:Envelope xmlns:s='x'><s:Body a=\"1\" b='>'><u:R/></s:Body></s:Envelope>", out var root, out _));
        Assert.Equal("Envelope", root!.LocalName);
        Assert.Equal("R", root.Child("Body")!.Children[0].LocalName);
        Assert.False(UpnpXml.TryParse("<s:Envelope></Envelope>", out _, out var error));
        Assert.Contains("does not close", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "no element")]
    [InlineData("just text", "outside the root")]
    [InlineData("<a>", "ends inside <a>")]
    [InlineData("<a></b>", "does not close")]
    [InlineData("</a>", "without a start tag")]
    [InlineData("<a>&bogus;</a>", "unknown entity")]
    [InlineData("<a>&#xD800;</a>", "unknown entity")]
    [InlineData("<a>& </a>", "entity")]
    [InlineData("<!DOCTYPE a [<!ENTITY x \"lol\">]><a>&x;</a>", "DTD")]
    [InlineData("<a b=c/>", "unquoted")]
    [InlineData("<a b='1/>", "unterminated")]
    [InlineData("<a><![CDATA[x</a>", "CDATA")]
    [InlineData("<a><!-- x</a>", "unterminated")]
    [InlineData("<a/><b/>", null)]
    [InlineData("<1a/>", "bad element name")]
    public void Bad_documents_are_refused_with_a_reason(string xml, string? reason)
    {
        var parsed = UpnpXml.TryParse(xml, out var root, out var error);
        if (reason is null)
        {
            // Anything after the root element is ignored (devices pad with NULs and newlines).
            Assert.True(parsed);
            Assert.Equal("a", root!.LocalName);
            return;
        }

        Assert.False(parsed);
        Assert.Null(root);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Depth_and_size_are_bounded()
    {
        var deep = string.Concat(Enumerable.Repeat("<a>", UpnpXml.MaxDepth + 1)) + string.Concat(Enumerable.Repeat("</a>", UpnpXml.MaxDepth + 1));
        Assert.False(UpnpXml.TryParse(deep, out _, out var error));
        Assert.Contains("deeper", error, StringComparison.Ordinal);
        var wide = "<r>" + string.Concat(Enumerable.Repeat("<a/>", UpnpXml.MaxElements)) + "</r>";
        Assert.False(UpnpXml.TryParse(wide, out _, out error));
        Assert.Contains("elements", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Mangled_descriptions_parse_or_are_refused_without_throwing()
    {
        var sample = MiniupnpdSamples.Description;
        Gen.Select(Gen.Int[0, sample.Length], Gen.Int[0, 40], Gen.Char).Sample((at, cut, c) =>
        {
            var mangled = sample[..at] + c + sample[Math.Min(sample.Length, at + cut)..];
            if (!UpnpXml.TryParse(mangled, out var root, out var error))
            {
                Assert.Null(root);
                Assert.NotNull(error);
            }
        }, iter: 5000);
    }

    private static Element Build(Random random, int depth)
    {
        var name = (random.Next(3) == 0 ? "u:" : string.Empty) + "e" + random.Next(100);
        var text = string.Concat(Enumerable.Range(0, random.Next(6)).Select(_ => Pieces[random.Next(Pieces.Length)]));
        var children = depth < 4 ? Enumerable.Range(0, random.Next(4)).Select(_ => Build(random, depth + 1)).ToList() : [];
        return new Element(name, text, children);
    }

    private static void Write(Element element, StringBuilder xml, Random random)
    {
        xml.Append('<').Append(element.Name);
        if (random.Next(3) == 0)
        {
            xml.Append(" attr=\"").Append(UpnpXml.Escape("v<&>")).Append('"');
        }

        if (element.Text.Length == 0 && element.Children.Count == 0 && random.Next(2) == 0)
        {
            xml.Append("/>");
            return;
        }

        xml.Append('>');
        if (random.Next(4) == 0 && !element.Text.Contains("]]>", StringComparison.Ordinal))
        {
            xml.Append("<![CDATA[").Append(element.Text).Append("]]>");
        }
        else
        {
            xml.Append(UpnpXml.Escape(element.Text));
        }

        foreach (var child in element.Children)
        {
            Write(child, xml, random);
            if (random.Next(4) == 0)
            {
                xml.Append("<!-- between -->");
            }
        }

        xml.Append("</").Append(element.Name).Append('>');
    }

    private static void AssertSame(Element expected, UpnpXmlNode actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Text.Trim(), actual.Text);
        Assert.Equal(expected.Children.Count, actual.Children.Count);
        for (var i = 0; i < expected.Children.Count; i++)
        {
            AssertSame(expected.Children[i], actual.Children[i]);
        }
    }
}
