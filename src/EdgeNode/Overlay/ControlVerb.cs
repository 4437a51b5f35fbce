namespace EPostEdge.EdgeNode.Overlay;

/// <summary>What a line of the control channel asks for.</summary>
internal enum ControlVerb : byte
{
    /// <summary>Not a request this node understands (the request's error says why).</summary>
    Invalid = 0,

    /// <summary><c>PUT &lt;base64&gt;</c>: insert the bytes into the distributed store.</summary>
    Put = 1,

    /// <summary><c>GET &lt;key hex&gt;</c>: a verified read of an object by its content key.</summary>
    Get = 2,
}
