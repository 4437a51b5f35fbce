using System.Collections;
using System.Net;
using EPostEdge.EdgeNode.Configuration;
using EPostEdge.EdgeNode.Nat.Mapping;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Tests.Configuration;

/// <summary>The "Nat" section: when mapping is on by default, how it is read from the file and the environment, and what is refused.</summary>
public sealed class NatOptionsTests
{
    private static readonly PhysicalFileSystem Disk = new();

    [Fact]
    public void Unset_it_is_on_exactly_when_peers_are_told_a_non_loopback_endpoint()
    {
        var options = new NatOptions();
        Assert.False(options.IsOn(new NodeConfiguration().OverlayEndPoint(out _))); // the embedded 127.0.0.1 defaults
        Assert.False(options.IsOn(IPEndPoint.Parse("[::1]:4031")));
        Assert.True(options.IsOn(IPEndPoint.Parse("203.0.113.9:4031")));
        Assert.True(options.IsOn(IPEndPoint.Parse("192.168.1.20:4031")));
        Assert.False(new NatOptions { Enabled = false }.IsOn(IPEndPoint.Parse("203.0.113.9:4031")));
        Assert.True(new NatOptions { Enabled = true }.IsOn(IPEndPoint.Parse("127.0.0.1:4031")));
    }

    [Fact]
    public void The_written_defaults_read_back_and_the_environment_overrides_them()
    {
        using var temp = new TempDirectory();
        ConfigurationFile.Write(Disk, temp.Path, new NodeConfiguration());
        var read = NodeConfiguration.Load(Disk, temp.Path, new Hashtable());
        Assert.Null(read.Nat.Enabled);
        Assert.Null(read.Nat.Gateway);
        Assert.Equal(NatOptions.DefaultProtocols, read.Nat.Protocols);
        Assert.Equal(3600, read.Nat.LeaseSeconds);

        var overridden = NodeConfiguration.Load(Disk, temp.Path, new Hashtable
        {
            ["EPOSTEDGE_Nat__Enabled"] = "true",
            ["EPOSTEDGE_Nat__Gateway"] = "192.168.1.1",
            ["EPOSTEDGE_Nat__Protocols"] = "upnp, NAT-PMP",
            ["EPOSTEDGE_Nat__LeaseSeconds"] = "7200",
        });
        Assert.True(overridden.Nat.Enabled);
        Assert.True(overridden.Nat.TryGetGateway(out var gateway));
        Assert.Equal(IPAddress.Parse("192.168.1.1"), gateway);
        Assert.True(overridden.Nat.TryGetProtocols(out var protocols, out _));
        Assert.Equal([NatProtocol.Upnp, NatProtocol.NatPmp], protocols);
        Assert.Empty(overridden.Nat.Validate());
    }

    [Fact]
    public void The_default_order_is_pcp_then_natpmp_then_upnp()
    {
        Assert.True(new NatOptions().TryGetProtocols(out var protocols, out _));
        Assert.Equal([NatProtocol.Pcp, NatProtocol.NatPmp, NatProtocol.Upnp], protocols);
    }

    [Fact]
    public void Unusable_settings_are_named()
    {
        var errors = new NatOptions { Gateway = "router.lan", Protocols = "upnp,carrier-pigeon", LeaseSeconds = 30 }.Validate();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("Nat:Gateway = 'router.lan'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'carrier-pigeon'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Nat:LeaseSeconds = 30", StringComparison.Ordinal));
        Assert.Single(new NatOptions { Gateway = "fe80::1" }.Validate());
        Assert.Single(new NatOptions { Protocols = " , " }.Validate());
    }
}
