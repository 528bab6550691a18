using System.CommandLine;
using EquipmentTwin.Cli.Commands;
using EquipmentTwin.Edge.Commands;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Cli.Tests;

/// <summary>Changes the working folder of the test process: runs alone.</summary>
[CollectionDefinition(nameof(WorkingDirectoryCollection), DisableParallelization = true)]
public sealed class WorkingDirectoryCollection;

[Collection(nameof(WorkingDirectoryCollection))]
public sealed class HelpTests
{
    public static TheoryData<string> TwinCommands() => [.. Paths(TwinCli.CreateRoot(), [])];

    public static TheoryData<string> EdgeCommands() => [.. Paths(EdgeCli.CreateRoot(), [])];

    [Theory]
    [MemberData(nameof(TwinCommands))]
    public async Task Twin_help_on_every_command_exits_0_lists_options_and_exit_codes_and_writes_nothing(string command)
    {
        foreach (var flag in new[] { "--help", "-h" })
        {
            var (code, stdout, stderr, files) = await InEmptyFolderAsync(() => InProcess.TwinAsync([.. Words(command), flag]));
            Assert.True(code == 0, $"twin {command} {flag} exited {code}: {stderr}");
            Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
            Assert.Contains("--help", stdout, StringComparison.Ordinal);
            Assert.Contains(ExitCodes.HelpText, stdout, StringComparison.Ordinal);
            Assert.Equal("", stderr);
            Assert.Empty(files);
        }
    }

    [Theory]
    [MemberData(nameof(EdgeCommands))]
    public async Task Edge_help_on_every_command_exits_0_and_writes_nothing(string command)
    {
        foreach (var flag in new[] { "--help", "-h" })
        {
            var (code, stdout, stderr, files) = await InEmptyFolderAsync(() => InProcess.EdgeAsync([.. Words(command), flag]));
            Assert.True(code == 0, $"twin-edge {command} {flag} exited {code}: {stderr}");
            Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
            Assert.Contains(EdgeCli.ExitCodesText, stdout, StringComparison.Ordinal);
            Assert.Empty(files);
        }
    }

    [Fact]
    public async Task Help_command_explains_a_sub_command_like_its_help_flag()
    {
        var viaWord = await InProcess.TwinAsync("help", "bench", "ingest");
        var viaFlag = await InProcess.TwinAsync("bench", "ingest", "--help");
        Assert.Equal(0, viaWord.ExitCode);
        Assert.Equal(viaFlag.Stdout, viaWord.Stdout);
        Assert.Contains("--clients", viaWord.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bare_twin_prints_help_and_exits_2()
    {
        var (code, stdout, _) = await InProcess.TwinAsync();
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("serve", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_one_line_and_exits_0()
    {
        var (code, stdout, _) = await InProcess.TwinAsync("--version");
        Assert.Equal(0, code);
        Assert.Single(stdout.Trim().Split('\n'));
    }

    [Fact]
    public async Task Edge_help_help_word_and_bare_form_as_real_processes_never_start_the_agent()
    {
        using var dir = new TempDirectory("cli-edge-help");
        foreach (var args in new[] { new[] { "--help" }, ["-h"], ["help"], [] })
        {
            var (code, stdout, _) = await CliProcess.RunAsync(CliProcess.TwinEdge, dir.Path, TimeSpan.FromSeconds(30), args);
            Assert.True(code == (args.Length == 0 ? 2 : 0), $"twin-edge {string.Join(' ', args)} exited {code}");
            Assert.Contains("run", stdout, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
        }
    }

    private static IEnumerable<string> Paths(Command command, string[] prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            string[] path = [.. prefix, sub.Name];
            yield return string.Join(' ', path);
            foreach (var deeper in Paths(sub, path))
            {
                yield return deeper;
            }
        }
    }

    private static string[] Words(string command) => command.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static async Task<(int Code, string Stdout, string Stderr, string[] Files)> InEmptyFolderAsync(Func<Task<(int, string, string)>> run)
    {
        using var dir = new TempDirectory("cli-help");
        var before = Environment.CurrentDirectory;
        Environment.CurrentDirectory = dir.Path;
        try
        {
            var (code, stdout, stderr) = await run();
            return (code, stdout, stderr, Directory.EnumerateFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories).ToArray());
        }
        finally
        {
            Environment.CurrentDirectory = before;
        }
    }
}
