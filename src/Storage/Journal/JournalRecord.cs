namespace EPostEdge.Storage.Journal;

/// <summary>A record read back from the journal, already verified (checksum and sequence).</summary>
/// <param name="Position">Where it is.</param>
/// <param name="Kind">The caller's record kind (1..255; 0 is the journal's own).</param>
/// <param name="Payload">The caller's bytes.</param>
public readonly record struct JournalRecord(JournalPosition Position, byte Kind, ReadOnlyMemory<byte> Payload);
