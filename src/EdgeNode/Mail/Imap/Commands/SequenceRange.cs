namespace EPostEdge.EdgeNode.Mail.Imap.Commands;

/// <summary>One element of a sequence set: n, or n:m in either order; <see cref="Star"/> stands for '*'.</summary>
public readonly record struct SequenceRange(uint First, uint Last)
{
    /// <summary>'*': the largest number in use (RFC 9051 §9 seq-number).</summary>
    public const uint Star = uint.MaxValue;
}
