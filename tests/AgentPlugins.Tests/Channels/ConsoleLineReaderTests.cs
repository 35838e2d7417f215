using AgentPlugins.Host.Hosting;

namespace AgentPlugins.Tests.Channels;

public sealed class ConsoleLineReaderTests
{
    [Fact]
    public async Task Reads_lines_ended_by_lf_crlf_or_cr_and_a_last_line_without_an_end()
    {
        var reader = new ConsoleLineReader(new StringReader("one\ntwo\r\nthree\rfour\r\n\r\nlast"), 100);

        var lines = new List<string?>();
        while (await reader.ReadAsync(CancellationToken.None) is { } line)
        {
            lines.Add(line.Text);
        }

        Assert.Equal(["one", "two", "three", "four", "", "last"], lines);
    }

    [Fact]
    public async Task A_line_at_the_cap_is_kept_and_one_over_it_is_reported_by_length_only()
    {
        var reader = new ConsoleLineReader(new StringReader("abcd\nabcde\nok\n"), 4);

        Assert.Equal("abcd", (await reader.ReadAsync(CancellationToken.None))!.Text);
        var refused = (await reader.ReadAsync(CancellationToken.None))!;
        Assert.True(refused.TooLong);
        Assert.Equal(5, refused.Length);
        Assert.Equal("ok", (await reader.ReadAsync(CancellationToken.None))!.Text);
        Assert.Null(await reader.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_hundred_million_character_line_costs_a_fixed_buffer_and_reading_goes_on()
    {
        const long length = 100_000_000;
        var reader = new ConsoleLineReader(new EndlessLine(length, "\nnext\n"), 64 * 1024);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var refused = (await reader.ReadAsync(CancellationToken.None))!;

        // The line is never held: what the reader allocates does not grow with it (200 MB as a string).
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024, "the reader held on to the line");
        Assert.Equal((true, length), (refused.TooLong, refused.Length));
        Assert.Equal("next", (await reader.ReadAsync(CancellationToken.None))!.Text);
    }

    // Serves a line of `length` characters, then `tail`, without ever holding them.
    private sealed class EndlessLine(long length, string tail) : TextReader
    {
        private long _served;
        private int _tailServed;

        public override Task<int> ReadAsync(char[] buffer, int index, int count) => Task.FromResult(Read(buffer, index, count));

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (_served < length)
            {
                var n = (int)Math.Min(buffer.Length, length - _served);
                buffer[..n].Fill('x');
                _served += n;
                return n;
            }

            var left = Math.Min(buffer.Length, tail.Length - _tailServed);
            tail.AsSpan(_tailServed, left).CopyTo(buffer);
            _tailServed += left;
            return left;
        }
    }
}
