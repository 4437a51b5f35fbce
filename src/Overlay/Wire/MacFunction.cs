namespace EPostEdge.Overlay.Wire;

/// <summary>Computes a frame's MAC over <c>data</c> into <c>tag</c>.</summary>
public delegate void MacFunction(ReadOnlySpan<byte> data, Span<byte> tag);
