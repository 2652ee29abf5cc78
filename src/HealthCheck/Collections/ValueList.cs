using System.Collections;
using System.Runtime.CompilerServices;

namespace CloudCoreLb.HealthCheck.Collections;

/// <summary>
/// An immutable list that compares by its elements. Option records hold their lists as <see cref="ValueList{T}"/>, so
/// the compiler-generated record equality covers every member: a reload tells a changed instance or check from an
/// unchanged one by <c>==</c>, and an option added later is compared without anyone listing it by hand.
/// </summary>
/// <typeparam name="T">Element type; its own <see cref="EqualityComparer{T}.Default"/> decides element equality.</typeparam>
[CollectionBuilder(typeof(ValueList), nameof(ValueList.Create))]
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    internal ValueList(T[] items) => _items = items;

    /// <summary>The empty list.</summary>
    public static ValueList<T> Empty { get; } = new([]);

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public T this[int index] => _items[index];

    /// <summary>A copy with <paramref name="item"/> appended.</summary>
    public ValueList<T> Add(T item) => new([.. _items, item]);

    /// <summary>A copy without the elements <paramref name="match"/> selects.</summary>
    public ValueList<T> RemoveAll(Func<T, bool> match) => new(Array.FindAll(_items, item => !match(item)));

    /// <inheritdoc />
    public bool Equals(ValueList<T>? other) =>
        other is not null && (ReferenceEquals(this, other) || _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ValueList<T>);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <summary>The elements, comma separated.</summary>
    public override string ToString() => string.Join(", ", _items);

    /// <summary>Element-wise equality.</summary>
    public static bool operator ==(ValueList<T>? left, ValueList<T>? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Element-wise inequality.</summary>
    public static bool operator !=(ValueList<T>? left, ValueList<T>? right) => !(left == right);
}

/// <summary>Builds <see cref="ValueList{T}"/> instances, also from collection expressions (<c>[a, b]</c>).</summary>
public static class ValueList
{
    /// <summary>A list holding a copy of <paramref name="items"/>.</summary>
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => items.IsEmpty ? ValueList<T>.Empty : new(items.ToArray());

    /// <summary>A list holding the elements of <paramref name="items"/>.</summary>
    public static ValueList<T> ToValueList<T>(this IEnumerable<T> items) => Create<T>([.. items]);
}
