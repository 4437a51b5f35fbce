using System.Text;

namespace EPostEdge.EdgeNode.Nat.Upnp;

/// <summary>
/// One element of a parsed UPnP document (<see cref="UpnpXml"/>): its local name (prefix
/// dropped: devices spell the SOAP and service namespaces with any prefix), its child elements
/// and its own text. Attributes are not kept: nothing UPnP control needs is in one.
/// </summary>
internal sealed class UpnpXmlNode(string name)
{
    private readonly StringBuilder _text = new();

    /// <summary>The qualified name as written (with its prefix).</summary>
    public string Name { get; } = name;

    /// <summary>The name without its namespace prefix.</summary>
    public string LocalName { get; } = name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..];

    /// <summary>Child elements in document order.</summary>
    public List<UpnpXmlNode> Children { get; } = [];

    /// <summary>The element's own text (character data and CDATA, entities decoded), trimmed.</summary>
    public string Text => _text.ToString().Trim();

    internal void AppendText(ReadOnlySpan<char> text) => _text.Append(text);

    /// <summary>The first child with this local name (ordinal, as XML names are case-sensitive), or null.</summary>
    public UpnpXmlNode? Child(string localName) => Children.Find(c => c.LocalName == localName);

    /// <summary>The trimmed text of the first child with this local name, or null.</summary>
    public string? ChildText(string localName) => Child(localName)?.Text;

    /// <summary>Every element below this one with this local name, in document order.</summary>
    public IEnumerable<UpnpXmlNode> Descendants(string localName)
    {
        var pending = new Stack<UpnpXmlNode>();
        for (var i = Children.Count - 1; i >= 0; i--)
        {
            pending.Push(Children[i]);
        }

        while (pending.TryPop(out var node))
        {
            if (node.LocalName == localName)
            {
                yield return node;
            }

            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                pending.Push(node.Children[i]);
            }
        }
    }
}
