namespace EPostEdge.EdgeNode.Hosting;

/// <summary>The mail part of <c>status</c>.</summary>
/// <param name="Users">Users on this node.</param>
/// <param name="Messages">Messages in all folders of all users.</param>
/// <param name="OutboundQueue">Messages waiting for the smarthost/overlay path (later issue).</param>
public sealed record MailStatus(int Users, long Messages, int OutboundQueue);
