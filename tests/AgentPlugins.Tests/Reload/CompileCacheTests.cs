using AgentPlugins.Host.Compilation;
using AgentPlugins.Host.Roles;
using AgentPlugins.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentPlugins.Tests.Reload;

public sealed class CompileCacheTests
{
    [Fact]
    public async Task A_restart_with_unchanged_roles_skips_roslyn()
    {
        using var folder = new TempFolder();
        var roles = new Dictionary<string, string>
        {
            ["a.cs"] = SampleRoles.Echo("a", "role_a"),
            ["b.cs"] = SampleRoles.Echo("b", "role_b"),
            ["c.csx"] = SampleRoles.EchoScript("c"),
        };

        var first = await TestRuntime.StartAsync(folder, roles, o => o with { Watch = false });
        Assert.Equal(3, first.CompileCache.Compiles);
        Assert.Equal(0, first.CompileCache.Hits);
        await first.ShutDownAsync();

        var second = await TestRuntime.StartAsync(folder, new Dictionary<string, string>(), o => o with { Watch = false });
        try
        {
            Assert.Equal(0, second.CompileCache.Compiles);
            Assert.Equal(3, second.CompileCache.Hits);
            Assert.Equal(3, second.Roles.Status.Count);
            Assert.All(second.Roles.Status, s => Assert.Equal(RoleState.Active, s.State));

            // All three answer, from the cached assemblies.
            Assert.NotNull(await second.PingAsync());
            await Task.Delay(100);
            Assert.Equal(["p1:a", "p1:b", "p1:c"], second.Sink.Texts.Order(StringComparer.Ordinal));
        }
        finally
        {
            await second.ShutDownAsync();
        }
    }

    [Fact]
    public async Task A_changed_file_misses_and_the_folder_stays_within_its_capacity()
    {
        using var folder = new TempFolder();
        var compiler = new RoleCompiler(ReferenceSet.Default, Host.Validation.RoleRules.Check);
        var probe = new CompileCache(compiler, Path.Combine(folder.Path, "probe"), long.MaxValue, NullLogger<CompileCache>.Instance);
        probe.Compile(Host.Compilation.RoleFile.FromText(Path.Combine(folder.Path, "echo.cs"), SampleRoles.Echo("probe")));
        await probe.FlushAsync();
        var entryBytes = new DirectoryInfo(Path.Combine(folder.Path, "probe")).EnumerateFiles().Sum(f => f.Length);

        var cacheFolder = Path.Combine(folder.Path, "cache");
        var cache = new CompileCache(compiler, cacheFolder, entryBytes * 5 / 2, NullLogger<CompileCache>.Instance);
        var path = Path.Combine(folder.Path, "echo.cs");
        for (var i = 0; i < 5; i++)
        {
            Assert.True(cache.Compile(Host.Compilation.RoleFile.FromText(path, SampleRoles.Echo($"m{i}"))).Succeeded);
            await cache.FlushAsync();
        }

        Assert.Equal(5, cache.Compiles);
        Assert.True(new DirectoryInfo(cacheFolder).EnumerateFiles().Sum(f => f.Length) <= entryBytes * 5 / 2);
        Assert.Equal(6, new DirectoryInfo(cacheFolder).EnumerateFiles().Count());

        // The newest entries stay; the oldest went first.
        Assert.True(cache.Compile(Host.Compilation.RoleFile.FromText(path, SampleRoles.Echo("m4"))).Succeeded);
        Assert.Equal(1, cache.Hits);
        cache.Compile(Host.Compilation.RoleFile.FromText(path, SampleRoles.Echo("m0")));
        await cache.FlushAsync();
        Assert.Equal(6, cache.Compiles);

        // A failed compile is never cached.
        Assert.False(cache.Compile(Host.Compilation.RoleFile.FromText(path, SampleRoles.CompileError)).Succeeded);
        Assert.False(cache.Compile(Host.Compilation.RoleFile.FromText(path, SampleRoles.CompileError)).Succeeded);
        Assert.Equal(8, cache.Compiles);
    }
}
