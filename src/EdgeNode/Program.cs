using System.CommandLine;
using EPostEdge.EdgeNode.Cli;

namespace EPostEdge.EdgeNode;

/// <summary>The <c>epost-edge</c> command line.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => NodeCommands.Build().Parse(args).InvokeAsync();
}
