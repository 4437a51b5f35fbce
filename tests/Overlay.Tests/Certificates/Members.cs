using System.Net;
using CsCheck;
using EPostEdge.Overlay.Certificates;
using EPostEdge.Overlay.Seams;

namespace EPostEdge.Overlay.Tests.Certificates;

/// <summary>Overlays, identities and endpoints the certificate tests are built from.</summary>
internal static class Members
{
    /// <summary>IPv4 and IPv6 endpoints over the whole address and port range.</summary>
    public static readonly Gen<IPEndPoint> EndPoints = Gen.Select(Gen.Bool, Gen.Byte.Array[16], Gen.Int[0, 65535])
        .Select((v4, address, port) => new IPEndPoint(new IPAddress(v4 ? address[..4] : address), port));

    /// <summary>Seeds for identities; each seed gives one node's keys.</summary>
    public static readonly Gen<ulong> Seeds = Gen.ULong;

    public static IPEndPoint V4(int last, int port = 4000) => new(new IPAddress([10, 0, 0, (byte)last]), port);

    public static IPEndPoint V6(int last, int port = 4000) => new(IPAddress.Parse($"fd00::{last:x}"), port);

    public static NodeIdentity Identity(ulong seed) => NodeIdentity.Create(new SeededRandomSource(seed));

    public static OverlayFounder Founder(ulong seed) => OverlayFounder.Create(new SeededRandomSource(seed));

    /// <summary>A node holding a founding-signed certificate.</summary>
    public static NodeIdentity Enrolled(OverlayFounder founder, ulong seed, bool mayInvite, IPEndPoint? endPoint = null)
    {
        var identity = Identity(seed);
        identity.Certificate = founder.Issue(identity.SigningKey, identity.AgreementKey, endPoint ?? V4((int)(seed % 250) + 1), mayInvite);
        return identity;
    }

    /// <summary>A certificate issued by <paramref name="member"/> for <paramref name="node"/>.</summary>
    public static NodeCertificate IssuedBy(NodeIdentity member, NodeIdentity node, IPEndPoint? endPoint = null) =>
        CertificateIssuer.IssueByMember(member, node.SigningKey, node.AgreementKey, endPoint ?? V6(7));

    public static byte[] Flip(ReadOnlySpan<byte> bytes, int bit)
    {
        var copy = bytes.ToArray();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
