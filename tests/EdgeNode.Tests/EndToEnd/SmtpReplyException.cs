namespace EPostEdge.EdgeNode.Tests.EndToEnd;

/// <summary>An SMTP reply other than the one the test expected (not a connection failure).</summary>
internal sealed class SmtpReplyException(string message) : Exception(message);
