using System.Text.Json;

namespace EPostEdge.EdgeNode.Mail.Users;

/// <summary>
/// One user as DATA/users/NAME.user holds it (JSON through Utf8JsonWriter/JsonDocument: AOT
/// safe). <see cref="NodeSealedKeys"/> is the user's POST identity as a key backup sealed under
/// a passphrase derived from the node key.
/// </summary>
internal sealed record StoredUser(string Name, IReadOnlyList<string> Addresses, PasswordHash Password, string PublicId, byte[] NodeSealedKeys)
{
    private const int FormatVersion = 1;

    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", FormatVersion);
            json.WriteString("name", Name);
            json.WriteStartArray("addresses");
            foreach (var address in Addresses)
            {
                json.WriteStringValue(address);
            }

            json.WriteEndArray();
            json.WriteStartObject("password");
            json.WriteString("algorithm", "argon2id");
            json.WriteNumber("memoryKiB", Password.MemorySizeKiB);
            json.WriteNumber("passes", Password.NumberOfPasses);
            json.WriteNumber("lanes", 1);
            json.WriteBase64String("salt", Password.Salt);
            json.WriteBase64String("hash", Password.Hash);
            json.WriteEndObject();
            json.WriteString("publicId", PublicId);
            json.WriteBase64String("nodeSealedKeys", NodeSealedKeys);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <exception cref="FormatException">Not a user file this build reads.</exception>
    public static StoredUser Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            var root = document.RootElement;
            if (root.GetProperty("version").GetInt32() != FormatVersion)
            {
                throw new FormatException("user file: unsupported version");
            }

            var password = root.GetProperty("password");
            if (password.GetProperty("algorithm").GetString() != "argon2id" || password.GetProperty("lanes").GetInt32() != 1)
            {
                throw new FormatException("user file: unsupported password hash");
            }

            var hash = new PasswordHash(
                password.GetProperty("memoryKiB").GetInt64(),
                password.GetProperty("passes").GetInt32(),
                password.GetProperty("salt").GetBytesFromBase64(),
                password.GetProperty("hash").GetBytesFromBase64());
            if (!hash.IsValid)
            {
                throw new FormatException("user file: password hash parameters out of range");
            }

            var addresses = root.GetProperty("addresses").EnumerateArray().Select(a => a.GetString() ?? throw new FormatException("user file: null address")).ToArray();
            return new StoredUser(
                root.GetProperty("name").GetString() ?? throw new FormatException("user file: no name"),
                addresses,
                hash,
                root.GetProperty("publicId").GetString() ?? throw new FormatException("user file: no public id"),
                root.GetProperty("nodeSealedKeys").GetBytesFromBase64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("user file: " + e.Message, e);
        }
    }
}
