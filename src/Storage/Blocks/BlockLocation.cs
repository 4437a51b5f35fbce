using EPostEdge.Storage.Journal;

namespace EPostEdge.Storage.Blocks;

/// <summary>Where a block's record sits in the journal, as the index remembers it.</summary>
/// <param name="Position">The journal record holding the block.</param>
/// <param name="ContentLength">The block's own length in bytes (without key and record framing).</param>
public readonly record struct BlockLocation(JournalPosition Position, int ContentLength);
