using EPostEdge.Storage.Blocks;

namespace EPostEdge.EdgeNode.Mail.Mailbox;

/// <summary>Where a message body lives: the key of its secure block (POST: content-hash keyed, encrypted).</summary>
public readonly record struct MessageBodyRef(BlockKey Block);
