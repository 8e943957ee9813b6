namespace KpLab.Data;

/// <summary>
/// The array description in a .npy header: a Python dict literal with exactly the keys <c>descr</c>,
/// <c>fortran_order</c> and <c>shape</c>, as <c>numpy.lib.format</c> writes and requires. Parsed by hand, strictly:
/// shape entries must be non-negative integer literals, and every size is computed with checked arithmetic.
/// </summary>
internal sealed record NpyHeader(string Descr, bool Fortran, int Rows, int Columns, int ItemSize, string ShapeText)
{
    /// <summary>The largest number of values a matrix may hold (its buffer keeps room for alignment).</summary>
    private static readonly long MaxValues = Array.MaxLength - 16;

    /// <summary>Parses <paramref name="header"/>; faults are thrown as <paramref name="fail"/> builds them.</summary>
    public static NpyHeader Parse(string header, Func<string, Exception> fail)
    {
        var reader = new Reader(header.TrimEnd(' ', '\n', '\r', '\t', '\0'), fail);
        string? descr = null;
        bool? fortran = null;
        List<string>? shape = null;
        reader.Expect('{');
        while (!reader.TryTake('}'))
        {
            var key = reader.String();
            reader.Expect(':');
            switch (key)
            {
                case "descr" when descr is null: descr = reader.String(); break;
                case "fortran_order" when fortran is null: fortran = reader.Boolean(); break;
                case "shape" when shape is null: shape = reader.Tuple(); break;
                case "descr" or "fortran_order" or "shape": throw fail($"the header names '{key}' twice: {header.Trim()}");
                default: throw fail($"the header has an unknown key '{key}'; a .npy header holds only descr, fortran_order and shape");
            }
            if (!reader.TryTake(',')) { reader.Expect('}'); break; }
        }
        reader.ExpectEnd();
        if (descr is null || fortran is null || shape is null)
            throw fail($"the header lacks '{(descr is null ? "descr" : fortran is null ? "fortran_order" : "shape")}': {header.Trim()}");

        var shapeText = "(" + string.Join(", ", shape) + (shape.Count == 1 ? ",)" : ")");
        if (shape.Count is 0 or > 2)
            throw fail($"shape {shapeText} has {shape.Count} dimensions; an embedding matrix needs 1 or 2");
        var dims = new long[shape.Count];
        for (int i = 0; i < shape.Count; i++) dims[i] = Dimension(shape[i], shapeText, fail);
        long rows = dims[0], columns = dims.Length == 2 ? dims[1] : 1;
        long values;
        try { values = checked(rows * columns); }
        catch (OverflowException) { throw fail($"shape {shapeText} overflows: {rows} x {columns} values do not fit in 64 bits"); }
        if (values > MaxValues || rows > int.MaxValue || columns > int.MaxValue)
            throw fail($"shape {shapeText} is too large: {values} values; one matrix holds at most {MaxValues}");

        int itemSize = descr switch
        {
            "<f4" or "|f4" or "=f4" => 4,
            "<f8" or "|f8" or "=f8" => 8,
            _ => throw fail($"dtype '{descr}' is not supported; KpLab reads little-endian float32 ('<f4') and float64 ('<f8')"),
        };
        return new NpyHeader(descr, fortran.Value, (int)rows, (int)columns, itemSize, shapeText);
    }

    /// <summary>One shape entry: a non-negative decimal integer (Python 2's <c>L</c> suffix allowed), checked.</summary>
    private static long Dimension(string text, string shapeText, Func<string, Exception> fail)
    {
        var digits = text.EndsWith('L') ? text[..^1] : text;
        if (digits.StartsWith('-') && digits.Length > 1 && digits[1..].All(char.IsAsciiDigit))
            throw fail($"shape {shapeText} has a negative dimension {text}");
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
            throw fail($"shape {shapeText} has the entry {text}, which is not a non-negative integer");
        long value = 0;
        try
        {
            foreach (var c in digits) value = checked(value * 10 + (c - '0'));
        }
        catch (OverflowException) { throw fail($"shape {shapeText} has dimension {text}, which does not fit in 64 bits"); }
        return value;
    }

    /// <summary>A cursor over the header text that understands the few Python literals a .npy header uses.</summary>
    private sealed class Reader(string text, Func<string, Exception> fail)
    {
        private int _at;

        public void Expect(char c)
        {
            if (!TryTake(c)) throw Fault($"'{c}' expected");
        }

        public bool TryTake(char c)
        {
            SkipSpace();
            if (_at < text.Length && text[_at] == c) { _at++; return true; }
            return false;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_at != text.Length) throw Fault("text after the closing '}'");
        }

        public string String()
        {
            SkipSpace();
            if (_at >= text.Length || text[_at] is not ('\'' or '"')) throw Fault("a quoted string expected");
            char quote = text[_at];
            int end = text.IndexOf(quote, _at + 1);
            if (end < 0) throw Fault("a string is never closed");
            var value = text[(_at + 1)..end];
            _at = end + 1;
            return value;
        }

        public bool Boolean()
        {
            SkipSpace();
            foreach (var (word, value) in new[] { ("True", true), ("False", false) })
                if (string.CompareOrdinal(text, _at, word, 0, word.Length) == 0) { _at += word.Length; return value; }
            throw Fault("True or False expected");
        }

        /// <summary>A parenthesised tuple; its entries are returned as written, for the caller to check.</summary>
        public List<string> Tuple()
        {
            Expect('(');
            var items = new List<string>();
            while (!TryTake(')'))
            {
                SkipSpace();
                int start = _at;
                while (_at < text.Length && text[_at] is not (',' or ')')) _at++;
                if (_at >= text.Length) throw Fault("the shape tuple is never closed");
                var item = text[start.._at].Trim();
                if (item.Length == 0) throw Fault("an empty shape entry");
                items.Add(item);
                if (!TryTake(',')) { Expect(')'); break; }
            }
            return items;
        }

        private void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at])) _at++;
        }

        private Exception Fault(string what) =>
            fail($"the header is not a NumPy array description ({what} at character {_at + 1}): {text.Trim()}");
    }
}
