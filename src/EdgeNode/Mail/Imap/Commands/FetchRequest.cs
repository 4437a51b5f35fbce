namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>A parsed FETCH: which messages, which items, and the CONDSTORE modifier.</summary>
public sealed record FetchRequest(SequenceSet Set, IReadOnlyList<FetchItem> Items, ulong? ChangedSince)
{
    public bool NeedsMessage
    {
        get
        {
            foreach (var item in Items)
            {
                if (item.NeedsMessage)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public bool SetsSeen
    {
        get
        {
            foreach (var item in Items)
            {
                if (item.SetsSeen)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public bool Has(FetchItemKind kind)
    {
        foreach (var item in Items)
        {
            if (item.Kind == kind)
            {
                return true;
            }
        }

        return false;
    }
}
