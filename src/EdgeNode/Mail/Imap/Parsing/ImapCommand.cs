namespace EPostEdge.EdgeNode.Mail.Imap.Parsing;

/// <summary>
/// One framed command: tag, upper-cased name (the <c>UID</c> prefix folded into <see cref="IsUid"/>)
/// and its arguments as tokens. Typed readers in Commands/ interpret the arguments per command.
/// </summary>
public sealed class ImapCommand
{
    public ImapCommand(string tag, string name, bool isUid, IReadOnlyList<ImapToken> arguments, ImapCommandError error = ImapCommandError.None, string? errorText = null)
    {
        Tag = tag;
        Name = name;
        IsUid = isUid;
        Arguments = arguments;
        Error = error;
        ErrorText = errorText;
    }

    /// <summary>The client's tag, or "*" when the line had none that could be read.</summary>
    public string Tag { get; }

    /// <summary>Upper-cased command name (FETCH for <c>UID FETCH</c>); empty when unreadable.</summary>
    public string Name { get; }

    public bool IsUid { get; }

    public IReadOnlyList<ImapToken> Arguments { get; }

    public ImapCommandError Error { get; }

    public string? ErrorText { get; }

    public static ImapCommand Failed(string tag, ImapCommandError error, string text, string name = "") =>
        new(tag, name, false, [], error, text);

    public override string ToString() =>
        Error == ImapCommandError.None
            ? $"{Tag} {(IsUid ? "UID " : string.Empty)}{Name} {string.Join(' ', Arguments)}".TrimEnd()
            : $"{Tag} !{Error}: {ErrorText}";
}
