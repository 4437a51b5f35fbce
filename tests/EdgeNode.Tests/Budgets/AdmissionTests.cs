using System.Net;
using System.Net.Sockets;
using System.Text;
using EPostEdge.EdgeNode.Budgets;
using EPostEdge.EdgeNode.Mail.Net;
using EPostEdge.EdgeNode.Tests.Mail.Net;
using EPostEdge.EdgeNode.Tests.Mail.Smtp;
using EPostEdge.Storage.Blocks;
using EPostEdge.Storage.Past;
using Microsoft.Extensions.Logging.Abstractions;

namespace EPostEdge.EdgeNode.Tests.Budgets;

/// <summary>What the budgets refuse: new connections (listener), new mail (SMTP MAIL/RCPT), new held items.</summary>
public sealed class AdmissionTests
{
    private const string Memory = "memory near its budget (171 of 200 MiB resident), try again later";
    private const string Disk = "disk near full (store 96 % of its 100 MiB quota)";

    [Fact]
    public void The_session_limit_asks_the_gate_first_and_keeps_its_slots()
    {
        var gate = new Gate { Connection = Memory };
        var limit = new SessionLimit(1, gate);
        Assert.False(limit.TryEnter(out var reason));
        Assert.Equal(Memory, reason);
        Assert.Equal(0, limit.Active);

        gate.Connection = null;
        Assert.True(limit.TryEnter(out _));
        Assert.False(limit.TryEnter(out reason));
        Assert.Equal(SessionLimit.TooManySessions, reason);
    }

    [Fact]
    public async Task The_listener_refuses_a_connection_with_the_gate_s_reason_and_closes_it()
    {
        var gate = new Gate { Connection = Memory };
        var endpoint = new MailEndpoint(IPAddress.Loopback, 0, false, new EchoSessionHandler(), new SessionLimit(10, gate), "Smtp:Port");
        await using var listener = new MailListener(() => [endpoint], null, TimeProvider.System, NullLogger<MailListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, listener.Listening[0].Port);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        Assert.Equal("BUSY " + Memory, await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task MAIL_and_RCPT_get_452_4_3_1_while_the_gate_refuses_new_mail_and_250_again_after()
    {
        var gate = new Gate { Mail = Disk };
        await using var client = await SmtpTestClient.StartAsync(gate: gate);
        await client.ExchangeAsync("HELO client.example\r\n", "250 mx.home.example\r\n");
        await client.ExchangeAsync("MAIL FROM:<carol@far.example>\r\n", $"452 4.3.1 Insufficient system storage: {Disk}\r\n");
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "503 5.5.1 Need MAIL before RCPT\r\n");

        gate.Mail = null;
        await client.ExchangeAsync("MAIL FROM:<carol@far.example>\r\n", "250 2.1.0 Sender OK\r\n");
        gate.Mail = Memory; // became full between MAIL and RCPT
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", $"452 4.3.1 Insufficient system storage: {Memory}\r\n");
        gate.Mail = null;
        await client.ExchangeAsync("RCPT TO:<alice@home.example>\r\n", "250 2.1.5 Recipient OK\r\n");
        await client.ExchangeAsync("DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n");
        await client.SendAsync("Subject: after\r\n\r\nback\r\n.\r\n");
        Assert.Equal("250 2.0.0 OK id=", await client.ReadAsync(16));
    }

    [Fact]
    public async Task A_disk_near_full_refuses_new_held_items_but_lets_held_ones_be_rewritten()
    {
        var nearFull = false;
        var held = new BudgetedHeldStore(new MemoryHeldStore(1 << 20), () => nearFull);
        var head = new HeldItem(HeldKind.Head, Key(1), 3, 10, 1);
        Assert.Equal(HeldPutResult.Stored, await held.PutAsync(head, new byte[] { 1, 2, 3 }));

        nearFull = true;
        Assert.Equal(HeldPutResult.QuotaFull, await held.PutAsync(new HeldItem(HeldKind.Replica, Key(2), 3, 10, 0), new byte[] { 4, 5, 6 }));
        Assert.Equal(HeldPutResult.Stored, await held.PutAsync(head with { Version = 2 }, new byte[] { 7, 8, 9 }));
        Assert.Equal(1, held.Refused);
        Assert.Equal(1, held.Count);
        Assert.Equal(2UL, held.Find(HeldKind.Head, Key(1))!.Value.Version);

        nearFull = false;
        Assert.Equal(HeldPutResult.Stored, await held.PutAsync(new HeldItem(HeldKind.Replica, Key(2), 3, 10, 0), new byte[] { 4, 5, 6 }));
    }

    private static BlockKey Key(byte b)
    {
        var bytes = new byte[32];
        bytes[0] = b;
        return new BlockKey(bytes);
    }

    private sealed class Gate : IAdmissionGate
    {
        public string? Connection { get; set; }

        public string? Mail { get; set; }

        public string? RefuseConnection() => Connection;

        public string? RefuseNewMail() => Mail;
    }
}
