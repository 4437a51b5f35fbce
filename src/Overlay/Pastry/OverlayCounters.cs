namespace EPostEdge.Overlay.Pastry;

/// <summary>What a Pastry node has seen and done, for status, metrics and tests. Read under the node's lock (via its status).</summary>
public sealed record OverlayCounters
{
    /// <summary>Frames that failed to parse (garbage, truncation, unknown version or kind).</summary>
    public long Malformed { get; set; }

    /// <summary>Frames whose MAC did not verify.</summary>
    public long BadMac { get; set; }

    /// <summary>Certificates that did not verify (forged, other overlay, id not the key's hash).</summary>
    public long CertificatesRefused { get; set; }

    /// <summary>Authenticated frames from a sender we had no certificate for (we asked for it).</summary>
    public long UnknownSenders { get; set; }

    /// <summary>Routed messages delivered here as root.</summary>
    public long Delivered { get; set; }

    /// <summary>Routed messages forwarded to a next hop.</summary>
    public long Forwarded { get; set; }

    /// <summary>Hops retried another way after a missing hop acknowledgement.</summary>
    public long HopRetries { get; set; }

    /// <summary>Routed messages given up after every attempt.</summary>
    public long RouteFailures { get; set; }

    /// <summary>Routed messages whose root acknowledgement never came.</summary>
    public long RootAckTimeouts { get; set; }

    /// <summary>Frames relayed for others (source routing).</summary>
    public long Relayed { get; set; }

    /// <summary>Nodes declared dead.</summary>
    public long DeclaredDead { get; set; }

    /// <summary>Frames sent: all, and the bytes of maintenance (everything but application routing/sends).</summary>
    public long FramesSent { get; set; }

    public long BytesSent { get; set; }

    public long MaintenanceBytesSent { get; set; }

    public long FramesReceived { get; set; }

    public long BytesReceived { get; set; }

    public long MaintenanceBytesReceived { get; set; }

    /// <summary>Times the maintenance timer woke the node (it sleeps until its next deadline).</summary>
    public long Wakes { get; set; }
}
