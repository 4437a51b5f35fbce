namespace EPostEdge.Storage.Faults;

/// <summary>Thrown by a test's fault handler to simulate a crash or I/O failure at a named point.</summary>
public sealed class InjectedFaultException : IOException
{
    /// <summary>Creates the exception for the point called <paramref name="pointName"/>.</summary>
    public InjectedFaultException(string pointName)
        : base($"injected fault at '{pointName}'") => PointName = pointName;

    /// <summary>Creates the exception with no point name.</summary>
    public InjectedFaultException()
        : this("unnamed")
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public InjectedFaultException(string message, Exception innerException)
        : base(message, innerException) => PointName = "unnamed";

    /// <summary>The fault point that threw.</summary>
    public string PointName { get; }
}
