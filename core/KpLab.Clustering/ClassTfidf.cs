using KpLab.TextAnalysis;

namespace KpLab.Clustering;

/// <summary>How <see cref="ClassTfidf"/> cleans a text before counting its words, as BERTopic's <c>_preprocess_text</c>.</summary>
public enum ClassTfidfCleaning
{
    /// <summary>
    /// BERTopic's default (<c>language="english"</c>): tabs and line breaks become spaces, then every character other
    /// than an ASCII letter, digit or space is removed (<c>re.sub(r"[^A-Za-z0-9 ]+", "", doc)</c>), so "don't" counts
    /// as "dont", "ATP-ADP" as "atpadp" and "café" as "caf".
    /// </summary>
    English,

    /// <summary>
    /// BERTopic with any other language: tabs and line breaks become spaces (no effect on the tokens), nothing is
    /// removed; the tokens are scikit-learn's over all of Unicode.
    /// </summary>
    None,
}

/// <summary>One term and its score (c-TF-IDF weight of the term in a class).</summary>
/// <param name="Term">The term (a lower-cased token).</param>
/// <param name="Score">Its c-TF-IDF score in the class.</param>
public sealed record TermScore(string Term, double Score);

/// <summary>
/// Class-based TF-IDF as BERTopic 0.17.4 defines it (<c>ClassTfidfTransformer</c> with its defaults,
/// <c>bm25_weighting=False</c>, <c>reduce_frequent_words=False</c>, no seed words) over BERTopic's default vectorizer
/// (<c>CountVectorizer()</c>: lower-case, <c>token_pattern=(?u)\b\w\w+\b</c>, unigrams, no stop words unless
/// given). The texts of a
/// class are joined into one document (<c>" ".join</c>) and counted; with <c>X[c, t]</c> the count of term t in class c:
/// <list type="bullet">
/// <item><c>tf[c, t] = X[c, t] / Σ_t X[c, t]</c> (rows L1-normalised; a class without words keeps a zero row);</item>
/// <item><c>idf[t] = log(1 + A / f_t)</c>, with <c>A = int(mean_c Σ_t X[c, t])</c> the average number of words per
/// class, truncated to an integer as BERTopic does, and <c>f_t = Σ_c X[c, t]</c> the term's frequency over all
/// classes;</item>
/// <item><c>score[c, t] = tf[c, t] · idf[t]</c>.</item>
/// </list>
/// Noise (cluster -1) is a class of its own, as BERTopic's outlier topic: its words count in <c>A</c> and <c>f_t</c>.
/// One difference: BERTopic replaces a class document that cleaning leaves empty by the word "emptydoc"; here such a
/// class simply has no words (no scores, no top terms), and no placeholder enters the vocabulary. Vocabulary order is
/// scikit-learn's (by code point), which also breaks ties among top terms.
/// </summary>
public sealed class ClassTfidf
{
    private readonly Dictionary<int, int> _classIndex;
    private readonly Dictionary<string, int> _termIndex;
    // Per class: (term index, count), ascending term index.
    private readonly (int Term, int Count)[][] _counts;

    private ClassTfidf(int[] classes, string[] vocabulary, (int Term, int Count)[][] counts, int[] wordsPerClass,
        int averageWords, double[] idf)
    {
        Classes = classes;
        Vocabulary = vocabulary;
        _counts = counts;
        WordsPerClass = wordsPerClass;
        AverageWordsPerClass = averageWords;
        Idf = idf;
        _classIndex = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        _termIndex = vocabulary.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>The classes (cluster labels) present, ascending: noise (-1) first when there is any.</summary>
    public IReadOnlyList<int> Classes { get; }

    /// <summary>The terms of all classes in scikit-learn's column order (sorted by code point).</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>The idf of each term of <see cref="Vocabulary"/>, <c>log(1 + A / f_t)</c>.</summary>
    public IReadOnlyList<double> Idf { get; }

    /// <summary>The number of words (tokens, repeats counted) of each class of <see cref="Classes"/>.</summary>
    public IReadOnlyList<int> WordsPerClass { get; }

    /// <summary><c>A</c>: the mean of <see cref="WordsPerClass"/>, truncated to an integer (BERTopic's <c>int(...)</c>).</summary>
    public int AverageWordsPerClass { get; }

    /// <summary>
    /// scikit-learn's English stop words (<c>stop_words="english"</c>, 318 words), for <see cref="Fit"/>'s
    /// <c>stopWords</c>: BERTopic's default vectorizer keeps every word, and its documentation suggests removing these
    /// so that topic words are not "the", "and", "is".
    /// </summary>
    public static IReadOnlySet<string> EnglishStopWords => StopWords.English;

    /// <summary>
    /// Counts the words of <paramref name="texts"/> per class (<paramref name="classes"/>[i] is the class of text i; a
    /// negative class is noise, -1) and computes the c-TF-IDF weights. A null text is empty.
    /// </summary>
    /// <param name="texts">The texts, one per row.</param>
    /// <param name="classes">The class (cluster label) of each text; -1 (or any negative value) is noise.</param>
    /// <param name="cleaning">How texts are cleaned before counting (default BERTopic's English cleaning).</param>
    /// <param name="stopWords">Lower-case words not counted, as <c>CountVectorizer(stop_words=...)</c> (removed after
    /// lower-casing and tokenising), e.g. <see cref="EnglishStopWords"/>; null (BERTopic's default) counts every word.</param>
    /// <exception cref="ArgumentException">The texts and the classes differ in length.</exception>
    public static ClassTfidf Fit(IReadOnlyList<string?> texts, IReadOnlyList<int> classes,
        ClassTfidfCleaning cleaning = ClassTfidfCleaning.English, IReadOnlySet<string>? stopWords = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(classes);
        if (texts.Count != classes.Count)
            throw new ArgumentException($"c-TF-IDF: {texts.Count} texts but {classes.Count} class labels.", nameof(classes));
        var labels = classes.Select(c => c < 0 ? -1 : c).Distinct().Order().ToArray();
        var classIndex = labels.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        // Counting per text and summing equals counting the joined document: the joining space is never part of a
        // token, and Python's final-sigma rule does not look across it.
        var perClass = labels.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        for (int i = 0; i < texts.Count; i++)
        {
            var counts = perClass[classIndex[classes[i] < 0 ? -1 : classes[i]]];
            foreach (var token in TokenPattern.Tokens(Clean(texts[i], cleaning)))
                if (stopWords is null || !stopWords.Contains(token)) counts[token] = counts.GetValueOrDefault(token) + 1;
        }
        var vocabulary = perClass.SelectMany(d => d.Keys).Distinct(StringComparer.Ordinal).ToArray();
        Array.Sort(vocabulary, PythonText.CodePointOrder);
        var termIndex = vocabulary.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i, StringComparer.Ordinal);
        var sparse = perClass.Select(d => d.Select(kv => (Term: termIndex[kv.Key], Count: kv.Value)).OrderBy(p => p.Term).ToArray()).ToArray();
        var words = sparse.Select(row => row.Sum(p => p.Count)).ToArray();
        var frequency = new long[vocabulary.Length];
        foreach (var row in sparse)
            foreach (var (term, count) in row) frequency[term] += count;
        // numpy: int(X.sum(axis=1).mean()): an exact integer total divided in float64, truncated toward zero.
        int average = labels.Length == 0 ? 0 : (int)((double)words.Sum(w => (long)w) / labels.Length);
        var idf = frequency.Select(f => Math.Log((double)average / f + 1)).ToArray();
        return new ClassTfidf(labels, vocabulary, sparse, words, average, idf);
    }

    /// <summary>The c-TF-IDF score of <paramref name="term"/> in class <paramref name="cluster"/> (0 when absent).</summary>
    /// <exception cref="ArgumentException">The class is not among <see cref="Classes"/>.</exception>
    public double Score(int cluster, string term)
    {
        int c = IndexOf(cluster);
        if (!_termIndex.TryGetValue(term, out int t)) return 0;
        foreach (var (index, count) in _counts[c])
            if (index == t) return Weight(c, index, count);
        return 0;
    }

    /// <summary>The terms of class <paramref name="cluster"/> with a nonzero count and their scores, in vocabulary order.</summary>
    /// <exception cref="ArgumentException">The class is not among <see cref="Classes"/>.</exception>
    public IReadOnlyList<TermScore> Terms(int cluster)
    {
        int c = IndexOf(cluster);
        return _counts[c].Select(p => new TermScore(Vocabulary[p.Term], Weight(c, p.Term, p.Count))).ToArray();
    }

    /// <summary>
    /// The <paramref name="count"/> terms of class <paramref name="cluster"/> with the highest score, highest first;
    /// ties in vocabulary order. Only positive scores are listed (BERTopic pads with empty words instead), so a class
    /// without words, or when every idf is 0 (<c>A = 0</c>), has none.
    /// </summary>
    /// <exception cref="ArgumentException">The class is not among <see cref="Classes"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public IReadOnlyList<TermScore> TopTerms(int cluster, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int c = IndexOf(cluster);
        return _counts[c]
            .Select(p => (p.Term, Score: Weight(c, p.Term, p.Count)))
            .Where(p => p.Score > 0)
            .OrderByDescending(p => p.Score).ThenBy(p => p.Term)
            .Take(count)
            .Select(p => new TermScore(Vocabulary[p.Term], p.Score))
            .ToArray();
    }

    /// <summary>
    /// <paramref name="text"/> as BERTopic's <c>_preprocess_text</c> leaves it for the vectorizer (null is empty).
    /// Lower-casing and tokenising are the vectorizer's (<see cref="TokenPattern.Tokens(string?, bool)"/>).
    /// </summary>
    public static string Clean(string? text, ClassTfidfCleaning cleaning)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (cleaning == ClassTfidfCleaning.None) return text.Replace('\n', ' ').Replace('\t', ' ');
        return string.Create(text.Count(IsKept), text, static (span, source) =>
        {
            int k = 0;
            foreach (char ch in source)
                if (IsKept(ch)) span[k++] = ch is '\n' or '\t' ? ' ' : ch;
        });
    }

    private static bool IsKept(char ch) => ch is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or ' ' or '\n' or '\t';

    // tf (L1 row normalisation, as sklearn.preprocessing.normalize: count / row sum) times idf.
    private double Weight(int c, int term, int count) => (double)count / WordsPerClass[c] * Idf[term];

    private int IndexOf(int cluster) =>
        _classIndex.TryGetValue(cluster < 0 ? -1 : cluster, out int c) ? c
            : throw new ArgumentException($"c-TF-IDF: no text has class {cluster}; the classes are {string.Join(", ", Classes)}.", nameof(cluster));
}
