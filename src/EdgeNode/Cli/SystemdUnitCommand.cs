using System.CommandLine;
using System.Text;
using EPostEdge.EdgeNode.Systemd;
using EPostEdge.Storage.FileSystem;

namespace EPostEdge.EdgeNode.Cli;

/// <summary>
/// <c>epost-edge systemd-unit [--profile NAME|FILE] [--binary PATH] [--out DIR]</c>: the unit
/// file, and with a profile the drop-in fitting it to the board (README "systemd"); printed, or
/// written to DIR/epost-edge.service and DIR/epost-edge.service.d/profile.conf.
/// </summary>
internal static class SystemdUnitCommand
{
    public static Command Build(CliContext context)
    {
        var profile = new Option<string>("--profile") { Description = "The board's hw-profile: a name (pi-4) or a JSON file" };
        var binary = new Option<string>("--binary") { Description = $"The node's binary for ExecStart= (default: this one if it is epost-edge, else {UnitFiles.DefaultBinary})" };
        var output = new Option<string>("--out") { Description = "Write the files into this folder (/etc/systemd/system) instead of printing them" };
        var command = new Command("systemd-unit", "The systemd unit (Type=notify, watchdog, sandbox) and the drop-in for the board's profile (MemoryMax=, low ports, LEDs).");
        command.Options.Add(profile);
        command.Options.Add(binary);
        command.Options.Add(output);
        command.SetAction(parse => Run(context, parse.GetValue(profile), parse.GetValue(binary), parse.GetValue(output)));
        return command;
    }

    public static int Run(CliContext context, string? profileName, string? binaryOption, string? outputDirectory)
    {
        var binary = binaryOption is { Length: > 0 } b ? b
            : Environment.ProcessPath is { } self && Path.GetFileName(self) == "epost-edge" ? self
            : UnitFiles.DefaultBinary;
        if (!Path.IsPathFullyQualified(binary))
        {
            context.Error.WriteLine($"epost-edge: --binary '{binary}' must be an absolute path (systemd runs ExecStart= without a search path of ours)");
            return ExitCodes.BadConfiguration;
        }

        string? dropIn = null;
        if (!string.IsNullOrEmpty(profileName))
        {
            // The same profiles `run --profile` takes: built into the binary by name, or a file.
            try
            {
                var profile = Profiles.HardwareProfile.Load(profileName, context.FileSystem);
                using var stream = new MemoryStream(profile.Json);
                dropIn = UnitFiles.DropIn(UnitProfile.Load(profile.Name, stream), binary);
            }
            catch (InvalidDataException ex)
            {
                context.Error.WriteLine($"epost-edge: {ex.Message}");
                return ExitCodes.BadConfiguration;
            }
        }

        var unit = UnitFiles.Unit(binary);
        if (string.IsNullOrEmpty(outputDirectory))
        {
            context.Output.Write($"# {UnitFiles.UnitName}\n{unit}");
            if (dropIn is not null)
            {
                context.Output.Write($"\n# {UnitFiles.UnitName}.d/{UnitFiles.DropInName}\n{dropIn}");
            }

            return ExitCodes.Ok;
        }

        context.FileSystem.CreateDirectory(outputDirectory);
        Write(context.FileSystem, Path.Combine(outputDirectory, UnitFiles.UnitName), unit);
        context.Output.WriteLine($"wrote {Path.Combine(outputDirectory, UnitFiles.UnitName)}");
        if (dropIn is not null)
        {
            var folder = Path.Combine(outputDirectory, UnitFiles.UnitName + ".d");
            context.FileSystem.CreateDirectory(folder);
            Write(context.FileSystem, Path.Combine(folder, UnitFiles.DropInName), dropIn);
            context.Output.WriteLine($"wrote {Path.Combine(folder, UnitFiles.DropInName)}");
        }

        context.Output.WriteLine("then: systemctl daemon-reload && systemctl enable --now epost-edge");
        return ExitCodes.Ok;
    }

    // Temp + rename: systemd never reads half a unit.
    private static void Write(IFileSystem fileSystem, string path, string text)
    {
        var temporary = path + ".tmp";
        fileSystem.Delete(temporary);
        using (var file = fileSystem.Open(temporary, FileOpenMode.CreateNew))
        {
            file.Write(0, Encoding.UTF8.GetBytes(text));
            file.Sync();
        }

        fileSystem.Rename(temporary, path);
    }
}
