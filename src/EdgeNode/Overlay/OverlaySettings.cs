using System.Net;
using System.Text.Json;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Ids;

namespace EPostEdge.EdgeNode.Overlay;

/// <summary>
/// DATA/overlay/overlay.json: which overlay this node belongs to (its founding public key, the
/// trust anchor of every certificate, Castro et al. §4.2), where this node is reached, and whom
/// to join through. Public information; written by <c>overlay create</c> and <c>join</c>.
/// </summary>
/// <param name="FoundingKey">The founding Ed25519 public key (32 bytes).</param>
/// <param name="EndPoint">This node's advertised endpoint (as in its certificate).</param>
/// <param name="Bootstraps">HOST:PORT of members to join through (empty on the founding node).</param>
public sealed record OverlaySettings(ReadOnlyMemory<byte> FoundingKey, IPEndPoint EndPoint, IReadOnlyList<string> Bootstraps)
{
    /// <summary>The overlay's id: the hash of the founding key.</summary>
    public NodeId Overlay => NodeId.Hash(FoundingKey.Span);

    /// <summary>The trust anchor built from <see cref="FoundingKey"/>.</summary>
    public OverlayTrust Trust() => new(FoundingKey);

    public byte[] Render()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("foundingKey", Convert.ToBase64String(FoundingKey.Span));
            json.WriteString("overlay", Overlay.ToString());
            json.WriteString("endPoint", HostPort.Format(EndPoint));
            json.WriteStartArray("bootstraps");
            foreach (var bootstrap in Bootstraps)
            {
                json.WriteStringValue(bootstrap);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <exception cref="InvalidDataException">Not an overlay.json, or its overlay id is not its key's hash.</exception>
    public static OverlaySettings Parse(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            var root = document.RootElement;
            var key = Convert.FromBase64String(root.GetProperty("foundingKey").GetString() ?? string.Empty);
            if (key.Length != NodeCertificate.KeySize)
            {
                throw new InvalidDataException($"foundingKey is {key.Length} bytes, not {NodeCertificate.KeySize}");
            }

            if (!HostPort.TryParseAddress(root.GetProperty("endPoint").GetString(), out var endPoint, out var error))
            {
                throw new InvalidDataException($"endPoint: {error}");
            }

            var bootstraps = new List<string>();
            if (root.TryGetProperty("bootstraps", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                bootstraps.AddRange(list.EnumerateArray().Select(b => b.GetString()).OfType<string>());
            }

            var settings = new OverlaySettings(key, endPoint, bootstraps);

            // The id is written for people reading the file; a mismatch means someone edited one half.
            if (root.TryGetProperty("overlay", out var overlay) && overlay.GetString() != settings.Overlay.ToString())
            {
                throw new InvalidDataException("overlay is not the hash of foundingKey");
            }

            return settings;
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
