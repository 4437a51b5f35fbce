using System.IO.Pipelines;
using EPostEdge.EdgeNode.Mail.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace EPostEdge.EdgeNode.Tests.Mail.Smtp;

/// <summary>A real client (MailKit) against the session over in-memory pipes: EHLO, AUTH, PIPELINING, BDAT or DATA.</summary>
public sealed class SmtpMailKitInteropTests
{
    [Theory]
    [InlineData(SmtpPortKind.ImplicitTls)]
    [InlineData(SmtpPortKind.Receiving)]
    public async Task MailKit_logs_in_and_sends_a_message(SmtpPortKind kind)
    {
        await using var store = await SmtpTestClient.DefaultStore();
        var connection = new PipeConnection(isSecure: true);
        var server = new SmtpServer(store, SmtpTestClient.DefaultOptions(), kind, new FakeTimeProvider(), NullLogger<SmtpServer>.Instance);
        var session = server.RunSessionAsync(connection, CancellationToken.None);

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alice", "alice@home.example"));
        message.To.Add(new MailboxAddress("Bob", "bob@home.example"));
        message.To.Add(new MailboxAddress("Friend", "friend@elsewhere.example"));
        message.Subject = "interop";
        message.Body = new TextPart("plain") { Text = "Hello\n.leading dot\n.\nbye\n" };

        using (var client = new SmtpClient())
        {
            await using var stream = new DuplexPipeStream(connection.ClientInput, connection.ClientOutput);
            await client.ConnectAsync(stream, "mx.home.example", 0, SecureSocketOptions.None);
            Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
            Assert.Contains("PLAIN", client.AuthenticationMechanisms);
            await client.AuthenticateAsync("alice@home.example", "secret99");
            await client.SendAsync(message);
            await client.DisconnectAsync(quit: true);
        }

        await session.WaitAsync(TimeSpan.FromSeconds(30));
        var delivery = Assert.Single(store.Deliveries);
        Assert.Equal("alice@home.example", delivery.From);
        Assert.Equal(["bob@home.example", "friend@elsewhere.example"], delivery.Recipients);
        Assert.StartsWith("Received: from ", delivery.Text, StringComparison.Ordinal);
        Assert.Contains("\r\n\r\nHello\r\n.leading dot\r\n.\r\nbye\r\n", delivery.Text, StringComparison.Ordinal);
        await connection.DisposeAsync();
    }

    /// <summary>The client's side of the pipes as one stream, as MailKit wants it.</summary>
    private sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
    {
        private readonly Stream _input = input.AsStream();
        private readonly Stream _output = output.AsStream();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => _output.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _input.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _input.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            _output.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _output.WriteAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
                _output.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
