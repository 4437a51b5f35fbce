namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>RFC 4315 COPYUID data: the destination's UIDVALIDITY and the UID pairs, in the same order.</summary>
public sealed record CopyResult(uint DestinationUidValidity, IReadOnlyList<uint> SourceUids, IReadOnlyList<uint> DestinationUids);
