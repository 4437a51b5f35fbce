using Microsoft.Extensions.Logging;

namespace EPostEdge.EdgeNode.Web;

/// <summary>One warning or error the node logged, as the health page lists it.</summary>
/// <param name="At">When (the node's TimeProvider).</param>
/// <param name="Level">Warning, Error or Critical.</param>
/// <param name="Category">The logger's category (usually the class that logged).</param>
/// <param name="Message">The formatted message, with the exception's message when there was one.</param>
public sealed record LogLine(DateTimeOffset At, LogLevel Level, string Category, string Message);
