using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;

namespace AgentPlugins.Tests.Validation;

/// <summary>What validate rejects, the host's loader rejects too, with the same diagnostics; what it only warns about loads.</summary>
public sealed class LoaderAgreementTests
{
    // Folder rules need every file of a folder at once; the loader sees one file at a time and
    // enforces unique names itself at activation (AP1006), so the AP0006 pair is left out here.
    private static readonly string[] FolderOnly = ["ap0006_duplicate_name_a.cs", "ap0006_duplicate_name_b.cs"];

    [Fact]
    public async Task The_loader_refuses_each_bad_fixture_with_exactly_the_errors_validate_prints()
    {
        var roles = Directory.GetFiles(Validate.BadFolder)
            .Where(path => !FolderOnly.Contains(Path.GetFileName(path)))
            .ToDictionary(path => Path.GetFileName(path), File.ReadAllText);
        await using var runtime = await TestRuntime.Create(roles).StartAsync();

        var validated = Validate.Folder(runtime.RolesFolder);

        foreach (var file in validated.Files)
        {
            var expected = file.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()).ToList();
            var loaded = runtime.StartupFailures.Where(d => d.Path == file.Path).Select(d => d.ToString()).ToList();
            Assert.Equal(expected, loaded);
            Assert.Equal(expected.Count == 0 ? RoleState.Active : RoleState.Failed, runtime.Roles.Status.Single(s => s.Path == file.Path).State);
        }

        Assert.Contains(validated.Files, f => f.Diagnostics.Any(d => !d.IsError));
    }

    [Fact]
    public async Task Good_fixtures_and_sample_roles_load()
    {
        var roles = Directory.GetFiles(Validate.GoodFolder)
            .Concat(Directory.GetFiles(Path.Combine(Repository.Root, "roles")))
            .ToDictionary(path => Path.GetFileName(path), File.ReadAllText);
        await using var runtime = await TestRuntime.Create(roles).StartAsync();

        Assert.Empty(runtime.StartupFailures.Select(d => d.ToString()));
        Assert.Equal(roles.Count, runtime.Roles.Serving.Count());
    }
}
