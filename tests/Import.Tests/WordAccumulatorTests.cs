namespace CloudCoreLb.Import.Tests;

public sealed class WordAccumulatorTests
{
    [Fact]
    public void FlushBetweenWordsAddsNoEmptyWord()
    {
        var words = new WordAccumulator();
        words.Flush();
        words.Append('a');
        words.Flush();
        words.Flush();
        words.Append('b');

        Assert.Equal(["a", "b"], words.Finish());
    }

    [Fact]
    public void AStartedWordWithoutTextIsAnEmptyWord()
    {
        var words = new WordAccumulator();
        words.StartWord();
        words.Flush();
        words.StartWord();

        Assert.Equal(["", ""], words.Finish());
    }

    [Fact]
    public void NothingAppendedFinishesWithNoWords()
    {
        Assert.Empty(new WordAccumulator().Finish());
    }
}
