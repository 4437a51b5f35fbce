namespace EPostEdge.EdgeNode.Mail.Smtp;

/// <summary>
/// One ESMTP parameter after a path (RFC 5321 §4.1.2 esmtp-param). <see cref="Key"/> is upper-cased
/// (keywords are case-insensitive); <see cref="Value"/> is null when no "=" was given.
/// </summary>
public readonly record struct SmtpParameter(string Key, string? Value);
