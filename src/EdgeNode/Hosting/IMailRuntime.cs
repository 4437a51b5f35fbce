using EPostEdge.EdgeNode.Mail.Net;

namespace EPostEdge.EdgeNode.Hosting;

/// <summary>The running mail service, as the listener and the status file see it.</summary>
internal interface IMailRuntime
{
    /// <summary>The ports to listen on with their handlers; called once the mail store is open.</summary>
    IReadOnlyList<MailEndpoint> Endpoints();

    /// <summary>Users, messages, outbound queue; null while the store is not open.</summary>
    MailStatus? Status();
}
