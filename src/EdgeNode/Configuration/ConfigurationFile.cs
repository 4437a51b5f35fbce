using System.Text.Json;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Configuration;

/// <summary>
/// Writes DATA/epostedge.json with every setting spelled out (its default unless given), so the
/// file itself documents what can be set. Written by hand with Utf8JsonWriter (AOT: no
/// reflection); a test checks that no property of the options classes is missing.
/// </summary>
public static class ConfigurationFile
{
    public static byte[] Render(NodeConfiguration configuration)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();

            // The hw-profile the file was written under: run applies it below the file's settings.
            WriteOptional(json, "Profile", configuration.Profile);

            var mail = configuration.Mail;
            json.WriteStartObject("Mail");
            json.WriteStartArray("Domains");
            foreach (var domain in mail.Domains)
            {
                json.WriteStringValue(domain);
            }

            json.WriteEndArray();
            json.WriteString("ListenAddress", mail.ListenAddress);
            WriteOptional(json, "CertificatePath", mail.CertificatePath);
            WriteOptional(json, "CertificateKeyPath", mail.CertificateKeyPath);
            json.WriteEndObject();

            var smtp = configuration.Smtp;
            json.WriteStartObject("Smtp");
            json.WriteNumber("Port", smtp.Port);
            json.WriteNumber("SubmissionPort", smtp.SubmissionPort);
            json.WriteNumber("ImplicitTlsPort", smtp.ImplicitTlsPort);
            WriteOptional(json, "HostName", smtp.HostName);
            json.WriteNumber("MaxMessageBytes", smtp.MaxMessageBytes);
            json.WriteNumber("MaxRecipients", smtp.MaxRecipients);
            json.WriteNumber("MaxHeaderBytes", smtp.MaxHeaderBytes);
            json.WriteNumber("MaxLineLength", smtp.MaxLineLength);
            json.WriteNumber("MaxCommandsPerSession", smtp.MaxCommandsPerSession);
            json.WriteNumber("MaxErrorsPerSession", smtp.MaxErrorsPerSession);
            json.WriteNumber("CommandTimeoutSeconds", smtp.CommandTimeoutSeconds);
            json.WriteNumber("DataTimeoutSeconds", smtp.DataTimeoutSeconds);
            json.WriteNumber("MaxSessions", smtp.MaxSessions);
            json.WriteEndObject();

            var imap = configuration.Imap;
            json.WriteStartObject("Imap");
            json.WriteNumber("Port", imap.Port);
            json.WriteNumber("ImplicitTlsPort", imap.ImplicitTlsPort);
            json.WriteBoolean("AllowPlaintextAuth", imap.AllowPlaintextAuth);
            json.WriteNumber("IdleTimeoutSeconds", imap.IdleTimeoutSeconds);
            json.WriteNumber("PreAuthTimeoutSeconds", imap.PreAuthTimeoutSeconds);
            json.WriteNumber("MaxMessageBytes", imap.MaxMessageBytes);
            json.WriteNumber("MaxLineLength", imap.MaxLineLength);
            json.WriteNumber("MaxErrorsPerSession", imap.MaxErrorsPerSession);
            json.WriteNumber("MaxSessions", imap.MaxSessions);
            json.WriteEndObject();

            json.WriteStartObject("Store");
            json.WriteString("Quota", configuration.Store.Quota);
            json.WriteEndObject();

            var overlay = configuration.Overlay;
            json.WriteStartObject("Overlay");
            json.WriteNumber("Port", overlay.Port);
            json.WriteString("Address", overlay.Address);
            WriteOptional(json, "EndPoint", overlay.EndPoint);
            json.WriteNumber("LeafSetSize", overlay.LeafSetSize);
            json.WriteNumber("KeepAliveSeconds", overlay.KeepAliveSeconds);
            json.WriteString("ContributedQuota", overlay.ContributedQuota);
            json.WriteBoolean("Glacier", overlay.Glacier);
            json.WriteNumber("MaintenanceSeconds", overlay.MaintenanceSeconds);
            json.WriteStartArray("Bootstraps");
            foreach (var bootstrap in overlay.Bootstraps)
            {
                json.WriteStringValue(bootstrap);
            }

            json.WriteEndArray();
            json.WriteEndObject();

            var nat = configuration.Nat;
            json.WriteStartObject("Nat");
            if (nat.Enabled is { } enabled)
            {
                json.WriteBoolean("Enabled", enabled);
            }
            else
            {
                json.WriteNull("Enabled");
            }

            WriteOptional(json, "Gateway", nat.Gateway);
            json.WriteString("Protocols", nat.Protocols);
            json.WriteNumber("LeaseSeconds", nat.LeaseSeconds);
            json.WriteEndObject();

            var budget = configuration.Budget;
            json.WriteStartObject("Budget");
            json.WriteString("MemoryBudget", budget.MemoryBudget);
            json.WriteString("GcHeapHardLimit", budget.GcHeapHardLimit);
            json.WriteNumber("MemoryShedPercent", budget.MemoryShedPercent);
            json.WriteNumber("MemoryResumePercent", budget.MemoryResumePercent);
            json.WriteNumber("MinThreads", budget.MinThreads);
            json.WriteNumber("MaxThreads", budget.MaxThreads);
            json.WriteNumber("DiskNearFullPercent", budget.DiskNearFullPercent);
            json.WriteString("DiskNearFullFree", budget.DiskNearFullFree);
            json.WriteString("SmtpMessageMemory", budget.SmtpMessageMemory);
            json.WriteString("ImapBodyCache", budget.ImapBodyCache);
            json.WriteEndObject();

            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Writes the file (temporary name, fsync, rename: a power cut leaves the old file or the new one).</summary>
    public static void Write(IFileSystem fileSystem, string dataDirectory, NodeConfiguration configuration)
    {
        var path = NodeConfiguration.PathIn(dataDirectory);
        var temporary = path + ".tmp";
        fileSystem.CreateDirectory(dataDirectory);
        fileSystem.Delete(temporary);
        using (var file = fileSystem.Open(temporary, FileOpenMode.CreateNew))
        {
            file.Write(0, Render(configuration));
            file.Sync();
        }

        fileSystem.Rename(temporary, path);
        fileSystem.SyncDirectory(dataDirectory);
    }

    // Unset optional strings are written as null so that the key is there to be filled in.
    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
