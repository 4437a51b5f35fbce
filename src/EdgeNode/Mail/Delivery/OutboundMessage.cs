using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Mail.Delivery;

/// <summary>A message waiting to be relayed to remote recipients.</summary>
/// <param name="Id">Queue entry id (hex).</param>
/// <param name="Body">The secure block holding the message, readable by the node's outbound identity.</param>
/// <param name="EnvelopeFrom">MAIL FROM ("" for the null reverse-path).</param>
/// <param name="Recipients">Remote RCPT TO addresses.</param>
/// <param name="QueuedAt">When it was accepted.</param>
public sealed record OutboundMessage(string Id, BlockKey Body, string EnvelopeFrom, IReadOnlyList<string> Recipients, DateTimeOffset QueuedAt);
