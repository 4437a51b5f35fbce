namespace EPostEdge.EdgeNode.Hosting;

/// <summary>A bound mail port as <c>status</c> shows it.</summary>
public sealed record ListeningPort(string Protocol, string Address, int Port, bool ImplicitTls);
