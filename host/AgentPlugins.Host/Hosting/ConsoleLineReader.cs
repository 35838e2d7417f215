using System.Text;

namespace AgentPlugins.Host.Hosting;

/// <summary>
/// Reads lines of at most <see cref="MaxChars"/> characters. A longer line is not kept: it is read
/// through in small pieces and reported by its length, so one endless line (a pasted file, a
/// billion characters from a pipe) costs a fixed buffer, never memory in proportion to it, and the
/// next line is read as usual. <see cref="TextReader.ReadLineAsync()"/> would hold the whole line.
/// </summary>
internal sealed class ConsoleLineReader(TextReader input, int maxChars)
{
    private readonly char[] _buffer = new char[8192];
    private readonly StringBuilder _line = new();
    private int _start;
    private int _end;
    private bool _skipLineFeed;

    public int MaxChars => maxChars;

    /// <summary>The next line, or null when input ended. A line ends at <c>\n</c>, <c>\r\n</c> or <c>\r</c>.</summary>
    public async Task<ConsoleLine?> ReadAsync(CancellationToken cancellationToken)
    {
        _line.Clear();
        long length = 0;
        var any = false;
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await input.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (_end == 0)
                {
                    return any ? Line(length) : null;
                }
            }

            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (_buffer[_start] == '\n')
                {
                    _start++;
                    continue;
                }
            }

            any = true;
            var piece = _buffer.AsSpan(_start, _end - _start);
            var stop = piece.IndexOfAny('\n', '\r');
            var take = stop < 0 ? piece.Length : stop;
            length += take;
            if (length <= maxChars)
            {
                _line.Append(piece[..take]);
            }
            else if (_line.Length > 0)
            {
                // Over the cap: what was kept goes, and nothing more is kept until the line ends.
                _line.Clear();
            }

            _start += take;
            if (stop >= 0)
            {
                _skipLineFeed = _buffer[_start] == '\r';
                _start++;
                return Line(length);
            }
        }
    }

    private ConsoleLine Line(long length) => length <= maxChars ? new ConsoleLine(_line.ToString(), length) : new ConsoleLine(null, length);
}
