using System.Diagnostics;
using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Roles;

/// <summary>Files in the roles folder that fight back: links out, pipes, binaries, huge and empty files. Host and validate read them one way.</summary>
public sealed class RoleFileReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private string Roles => Path.Combine(_folder.Path, "roles");

    public RoleFileReaderTests() => Directory.CreateDirectory(Roles);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_link_out_of_the_roles_folder_is_refused_and_its_target_never_read()
    {
        var secret = _folder.Write("secret.txt", "root:x:0:0:root:/root:/bin/bash");
        var link = Path.Combine(Roles, "p.cs");
        File.CreateSymbolicLink(link, secret);

        var read = await RoleFileReader.ReadAsync(link, Roles, CancellationToken.None);

        Assert.Equal(RoleFileReadKind.Problem, read.Kind);
        Assert.Equal(RoleFileCodes.Unreadable, read.Diagnostic!.Code);
        Assert.Contains("outside the roles folder", read.Diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:x", read.Diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_inside_the_roles_folder_is_followed()
    {
        var target = Path.Combine(Roles, "real.cs");
        await File.WriteAllTextAsync(target, "// role");
        var link = Path.Combine(Roles, "alias.cs");
        File.CreateSymbolicLink(link, target);

        var read = await RoleFileReader.ReadAsync(link, Roles, CancellationToken.None);

        Assert.Equal(RoleFileReadKind.Read, read.Kind);
        Assert.Equal("// role", read.File!.Text);
    }

    [Fact]
    public async Task A_fifo_is_never_opened_so_nothing_blocks()
    {
        var fifo = Path.Combine(Roles, "f.cs");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var read = await RoleFileReader.ReadAsync(fifo, Roles, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.NotEqual(RoleFileReadKind.Read, read.Kind);
    }

    [Fact]
    public async Task A_binary_file_is_one_diagnostic_not_a_flood()
    {
        var path = Path.Combine(Roles, "x.cs");
        await File.WriteAllBytesAsync(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i % 256))]);

        var read = await RoleFileReader.ReadAsync(path, Roles, CancellationToken.None);

        Assert.Equal(RoleFileReadKind.Problem, read.Kind);
        Assert.Contains("binary", read.Diagnostic!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_over_the_cap_is_refused_with_its_size()
    {
        var path = Path.Combine(Roles, "huge.cs");
        await File.WriteAllTextAsync(path, new string('/', RoleFileReader.MaxBytes + 10));

        var read = await RoleFileReader.ReadAsync(path, Roles, CancellationToken.None);

        Assert.Equal(RoleFileReadKind.Problem, read.Kind);
        Assert.Contains("at most", read.Diagnostic!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_and_validate_agree_on_every_such_file()
    {
        var secret = _folder.Write("secret.txt", "root:x:0:0");
        File.CreateSymbolicLink(Path.Combine(Roles, "p.cs"), secret);
        await File.WriteAllBytesAsync(Path.Combine(Roles, "x.cs"), [0, 1, 2, 0]);
        await File.WriteAllTextAsync(Path.Combine(Roles, "empty.cs"), string.Empty);
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(Roles, "f.cs")]))
        {
            await mkfifo.WaitForExitAsync();
        }

        var validated = Validation.Validate.Folder(Roles);
        await using var host = await TestRuntime.StartAsync(_folder, new Dictionary<string, string>(), roles => roles with { Watch = false });

        // One diagnostic per file; the empty one is a warning for both, never a role.
        foreach (var file in new[] { "p.cs", "x.cs" })
        {
            var reported = Assert.Single(validated.Files.Single(f => f.Path.EndsWith(file, StringComparison.Ordinal)).Diagnostics);
            Assert.Equal(RoleFileCodes.Unreadable, reported.Code);
            var status = host.StatusOf(file)!;
            Assert.Equal(RoleState.Failed, status.State);
            Assert.Equal(reported.Message, Assert.Single(status.LastErrors).Message);
        }

        var empty = Assert.Single(validated.Files.Single(f => f.Path.EndsWith("empty.cs", StringComparison.Ordinal)).Diagnostics);
        Assert.Equal((RoleFileCodes.Empty, false), (empty.Code, empty.IsError));
        Assert.Null(host.StatusOf("empty.cs"));
        Assert.Empty(host.Roles.Tools);
    }
}
