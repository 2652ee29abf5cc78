using System.Text;

namespace CloudCoreLb.Import;

/// <summary>
/// The word-building half of the import lexers: each grammar decides what a quote, a separator or an escape is,
/// this collects the characters into words. A word exists once it is started, so a pair of empty quotes is an
/// empty word (as in keepalived, haproxy and the shell), while runs of separators make none.
/// </summary>
internal sealed class WordAccumulator
{
    private readonly List<string> _words = [];
    private readonly StringBuilder _current = new();
    private bool _inWord;

    /// <summary>Appends a character to the current word, starting one if none is open.</summary>
    public void Append(char c)
    {
        _current.Append(c);
        _inWord = true;
    }

    /// <summary>Starts a word without adding text: an opening quote makes a word even if nothing follows.</summary>
    public void StartWord() => _inWord = true;

    /// <summary>Ends the current word at a separator; does nothing between words.</summary>
    public void Flush()
    {
        if (_inWord)
        {
            _words.Add(_current.ToString());
            _current.Clear();
            _inWord = false;
        }
    }

    /// <summary>Ends the last word and returns every word in order.</summary>
    public List<string> Finish()
    {
        Flush();
        return _words;
    }
}
