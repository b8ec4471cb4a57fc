//! Reading the wire form (see the module above): each value as the type asks for it.

use serde::de::{self, value::U32Deserializer, DeserializeSeed, Visitor};

use super::WireError;

pub(super) struct Reader<'de> {
    pub bytes: &'de [u8],
    pub at: usize,
}

type Read<T> = Result<T, WireError>;

fn ended(what: &str) -> WireError {
    WireError(format!("expected {what}, but found the end of the bytes"))
}

impl<'de> Reader<'de> {
    fn take(&mut self, n: usize, what: &str) -> Read<&'de [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| ended(what))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn byte(&mut self, what: &str) -> Read<u8> {
        Ok(self.take(1, what)?[0])
    }

    fn array<const N: usize>(&mut self, what: &str) -> Read<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn varint(&mut self) -> Read<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte("a number")?;
            let part = u64::from(b & 0x7f);
            // The tenth byte holds the top bit only.
            if shift == 63 && part > 1 {
                break;
            }
            n |= part << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err(WireError(
            "expected a number of at most 64 bits, but found a longer one".into(),
        ))
    }

    fn signed(&mut self) -> Read<i64> {
        let n = self.varint()?;
        Ok((n >> 1) as i64 ^ -((n & 1) as i64))
    }

    fn fits<T: TryFrom<u64>>(&mut self, what: &str) -> Read<T> {
        let n = self.varint()?;
        T::try_from(n).map_err(|_| WireError(format!("expected {what}, but found {n}")))
    }

    fn fits_signed<T: TryFrom<i64>>(&mut self, what: &str) -> Read<T> {
        let n = self.signed()?;
        T::try_from(n).map_err(|_| WireError(format!("expected {what}, but found {n}")))
    }

    fn length(&mut self) -> Read<usize> {
        self.fits("a length that fits this machine")
    }

    fn text(&mut self) -> Read<&'de str> {
        let len = self.length()?;
        let bytes = self.take(len, "text")?;
        std::str::from_utf8(bytes)
            .map_err(|_| WireError("expected UTF-8 text, but found other bytes".into()))
    }

    fn bytes(&mut self) -> Read<&'de [u8]> {
        let len = self.length()?;
        self.take(len, "bytes")
    }
}

macro_rules! integers {
    ($($method:ident => $visit:ident($read:ident, $what:literal)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
            visitor.$visit(self.$read($what)?)
        }
    )*};
}

/// `len` values one after the other: a struct's fields, a tuple, a list's elements.
struct Items<'a, 'de> {
    reader: &'a mut Reader<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for Items<'_, 'de> {
    type Error = WireError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Read<Option<T::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl<'de> de::MapAccess<'de> for Items<'_, 'de> {
    type Error = WireError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Read<Option<K::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Read<V::Value> {
        seed.deserialize(&mut *self.reader)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

impl<'de> de::EnumAccess<'de> for &mut Reader<'de> {
    type Error = WireError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Read<(V::Value, Self)> {
        let index: u32 = self.fits("a variant's index")?;
        let variant = seed.deserialize(U32Deserializer::<WireError>::new(index))?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for &mut Reader<'de> {
    type Error = WireError;

    fn unit_variant(self) -> Read<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Read<T::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Read<V::Value> {
        visitor.visit_seq(Items {
            reader: self,
            left: len,
        })
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Read<V::Value> {
        self.tuple_variant(fields.len(), visitor)
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = WireError;

    fn is_human_readable(&self) -> bool {
        false
    }

    /// The form names no types, so a value that must say what it is cannot be read.
    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Read<V::Value> {
        Err(WireError(
            "expected a value of a type the reader names, but found a self-describing one \
             (#[serde(flatten)], untagged, serde_json::Value)"
                .into(),
        ))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        match self.byte("true or false")? {
            0 => visitor.visit_bool(false),
            1 => visitor.visit_bool(true),
            b => Err(WireError(format!("expected true or false, but found {b}"))),
        }
    }

    // Every integer a varint of 64 bits (signed ones zigzagged), refused when it does
    // not fit the type asked for; 128 bits as they are.
    integers!(
        deserialize_i8 => visit_i8(fits_signed, "an 8-bit integer"),
        deserialize_i16 => visit_i16(fits_signed, "a 16-bit integer"),
        deserialize_i32 => visit_i32(fits_signed, "a 32-bit integer"),
        deserialize_i64 => visit_i64(fits_signed, "a 64-bit integer"),
        deserialize_u8 => visit_u8(fits, "an 8-bit count"),
        deserialize_u16 => visit_u16(fits, "a 16-bit count"),
        deserialize_u32 => visit_u32(fits, "a 32-bit count"),
        deserialize_u64 => visit_u64(fits, "a 64-bit count"),
    );
    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        visitor.visit_i128(i128::from_le_bytes(self.array("a 128-bit integer")?))
    }
    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        visitor.visit_u128(u128::from_le_bytes(self.array("a 128-bit count")?))
    }
    fn deserialize_f32<V: Visitor<'de>>(self, _: V) -> Read<V::Value> {
        Err(super::no_float())
    }
    fn deserialize_f64<V: Visitor<'de>>(self, _: V) -> Read<V::Value> {
        Err(super::no_float())
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        let n: u32 = self.fits("a character")?;
        let c = char::from_u32(n)
            .ok_or_else(|| WireError(format!("expected a character, but found {n}")))?;
        visitor.visit_char(c)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        visitor.visit_borrowed_str(self.text()?)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        self.deserialize_str(visitor)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        visitor.visit_borrowed_bytes(self.bytes()?)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        self.deserialize_bytes(visitor)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        match self.byte("an option")? {
            0 => visitor.visit_none(),
            1 => visitor.visit_some(self),
            b => Err(WireError(format!(
                "expected an option (0 or 1), but found {b}"
            ))),
        }
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        visitor.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Read<V::Value> {
        visitor.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Read<V::Value> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        let left = self.length()?;
        visitor.visit_seq(Items { reader: self, left })
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Read<V::Value> {
        visitor.visit_seq(Items {
            reader: self,
            left: len,
        })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        visitor: V,
    ) -> Read<V::Value> {
        self.deserialize_tuple(len, visitor)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        let left = self.length()?;
        visitor.visit_map(Items { reader: self, left })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Read<V::Value> {
        self.deserialize_tuple(fields.len(), visitor)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Read<V::Value> {
        visitor.visit_enum(self)
    }
    /// Only a variant's index is read as an identifier (a struct's fields have no names).
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        visitor.visit_u64(self.varint()?)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Read<V::Value> {
        self.deserialize_any(visitor)
    }
}
