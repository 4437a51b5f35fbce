using EPostEdge.EdgeNode.Mail.Imap.Parsing;
using EPostEdge.EdgeNode.Mail.Mailbox;
using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Mail.Imap.Session;

/// <summary>Command dispatch and the state rules of RFC 9051 §3 and §6.</summary>
internal sealed partial class ImapSession
{
    private async Task ExecuteAsync(ImapCommand command, CancellationToken cancellationToken)
    {
        var tag = command.Tag;
        if (command.Error != ImapCommandError.None)
        {
            if (command.Error == ImapCommandError.LiteralTooBig)
            {
                _errors++;
                No(tag, "[TOOBIG] " + command.ErrorText);
            }
            else
            {
                Bad(tag, command.ErrorText ?? "Syntax error");
            }

            return;
        }

        var name = command.Name;
        if (command.IsUid && name is not ("FETCH" or "STORE" or "SEARCH" or "COPY" or "MOVE" or "EXPUNGE"))
        {
            Bad(tag, "Unknown UID command");
            return;
        }

        var allowed = name switch
        {
            "CAPABILITY" or "NOOP" or "LOGOUT" or "ID" => true,
            "STARTTLS" or "LOGIN" or "AUTHENTICATE" => _state == ImapSessionState.NotAuthenticated,
            "ENABLE" or "SELECT" or "EXAMINE" or "CREATE" or "DELETE" or "RENAME" or "SUBSCRIBE" or "UNSUBSCRIBE"
                or "LIST" or "LSUB" or "NAMESPACE" or "STATUS" or "APPEND" or "IDLE"
                => _state is ImapSessionState.Authenticated or ImapSessionState.Selected,
            "CHECK" or "CLOSE" or "UNSELECT" or "EXPUNGE" or "SEARCH" or "FETCH" or "STORE" or "COPY" or "MOVE"
                => _state == ImapSessionState.Selected,
            _ => (bool?)null,
        };
        if (allowed is null)
        {
            Bad(tag, "Unknown command " + name);
            return;
        }

        if (allowed == false)
        {
            Bad(tag, name + " not allowed now");
            return;
        }

        var args = command.Arguments;
        try
        {
            switch (name)
            {
                case "CAPABILITY":
                    ImapResponseWriter.Untagged(Output, "CAPABILITY " + Capabilities());
                    Complete(tag, "CAPABILITY completed");
                    break;
                case "NOOP":
                case "CHECK":
                    Complete(tag, name + " completed");
                    break;
                case "LOGOUT":
                    ImapResponseWriter.Untagged(Output, "BYE EPostEdge IMAP logging out");
                    Ok(tag, "LOGOUT completed");
                    _state = ImapSessionState.Logout;
                    break;
                case "ID":
                    // RFC 2971: answer with our identity whatever the client sent.
                    ImapResponseWriter.Untagged(Output, "ID (\"name\" \"EPostEdge\")");
                    Complete(tag, "ID completed");
                    break;
                case "STARTTLS":
                    await StartTlsAsync(tag, args, cancellationToken);
                    break;
                case "LOGIN":
                    await LoginAsync(tag, args, cancellationToken);
                    break;
                case "AUTHENTICATE":
                    await AuthenticateAsync(tag, args, cancellationToken);
                    break;
                case "ENABLE":
                    Enable(tag, args);
                    break;
                case "NAMESPACE":
                    ImapResponseWriter.Untagged(Output, "NAMESPACE ((\"\" \"/\")) NIL NIL");
                    Complete(tag, "NAMESPACE completed");
                    break;
                case "LIST":
                case "LSUB":
                    List(tag, args, lsub: name == "LSUB");
                    break;
                case "STATUS":
                    Status(tag, args);
                    break;
                case "CREATE":
                case "DELETE":
                case "SUBSCRIBE":
                case "UNSUBSCRIBE":
                    await ChangeFolderAsync(tag, name, args, cancellationToken);
                    break;
                case "RENAME":
                    await RenameAsync(tag, args, cancellationToken);
                    break;
                case "SELECT":
                case "EXAMINE":
                    Select(tag, args, readOnly: name == "EXAMINE");
                    break;
                case "CLOSE":
                case "UNSELECT":
                    await CloseAsync(tag, expunge: name == "CLOSE", cancellationToken);
                    break;
                case "APPEND":
                    await AppendAsync(tag, args, cancellationToken);
                    break;
                case "EXPUNGE":
                    await ExpungeAsync(tag, command.IsUid, args, cancellationToken);
                    break;
                case "FETCH":
                    await FetchAsync(tag, command.IsUid, args, cancellationToken);
                    break;
                case "STORE":
                    await StoreAsync(tag, command.IsUid, args, cancellationToken);
                    break;
                case "SEARCH":
                    await SearchAsync(tag, command.IsUid, args, cancellationToken);
                    break;
                case "COPY":
                case "MOVE":
                    await CopyAsync(tag, command.IsUid, args, move: name == "MOVE", cancellationToken);
                    break;
                case "IDLE":
                    await IdleAsync(tag, cancellationToken);
                    break;
                default:
                    Bad(tag, "Unknown command " + name);
                    break;
            }
        }
        catch (MailboxException e)
        {
            No(tag, MailboxCode(e.Kind) + " " + e.Message);
        }
        catch (Exception e) when (e is not (OperationCanceledException or IOException) && _state != ImapSessionState.Logout)
        {
            _logger.LogError(e, "IMAP {Command} failed", name);
            No(tag, "[SERVERBUG] Internal error");
        }
    }

    private void Enable(string tag, IReadOnlyList<ImapToken> args)
    {
        if (args.Count == 0)
        {
            Bad(tag, "ENABLE needs capability names");
            return;
        }

        // RFC 5161 §3.1: list only what this command newly enabled.
        var enabled = new List<string>();
        foreach (var arg in args)
        {
            if (arg.IsWord("CONDSTORE") && !_condstore)
            {
                _condstore = true;
                enabled.Add("CONDSTORE");
            }
            else if (arg.IsWord("IMAP4rev2") && !_rev2)
            {
                _rev2 = true;
                enabled.Add("IMAP4rev2");
            }
            else if (arg.IsWord("UTF8=ACCEPT") && !_utf8)
            {
                _utf8 = true;
                enabled.Add("UTF8=ACCEPT");
            }
        }

        ImapResponseWriter.Untagged(Output, enabled.Count == 0 ? "ENABLED" : "ENABLED " + string.Join(' ', enabled));
        Complete(tag, "ENABLE completed");
    }
}
