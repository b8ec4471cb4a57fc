//! Writing the wire form (see the module above).

use serde::ser::{self, Serialize};

use super::WireError;

pub(super) struct Writer(pub Vec<u8>);

impl Writer {
    fn varint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push(n as u8 | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    fn signed(&mut self, n: i64) {
        self.varint(((n << 1) ^ (n >> 63)) as u64);
    }

    fn length(&mut self, len: Option<usize>) -> Result<(), WireError> {
        let len = len.ok_or_else(|| {
            WireError(
                "expected a sequence or map of known length (not a #[serde(flatten)] struct), \
                 but found one without"
                    .into(),
            )
        })?;
        self.varint(len as u64);
        Ok(())
    }

    fn text(&mut self, bytes: &[u8]) {
        self.varint(bytes.len() as u64);
        self.0.extend_from_slice(bytes);
    }
}

type Done = Result<(), WireError>;

macro_rules! integers {
    ($($method:ident($ty:ty) => $write:ident),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Done {
            self.$write(v.into());
            Ok(())
        }
    )*};
}

impl ser::Serializer for &mut Writer {
    type Ok = ();
    type Error = WireError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Done {
        self.0.push(u8::from(v));
        Ok(())
    }
    // Every integer as a varint of 64 bits (signed ones zigzagged); 128 bits as they are.
    integers!(
        serialize_i8(i8) => signed,
        serialize_i16(i16) => signed,
        serialize_i32(i32) => signed,
        serialize_i64(i64) => signed,
        serialize_u8(u8) => varint,
        serialize_u16(u16) => varint,
        serialize_u32(u32) => varint,
        serialize_u64(u64) => varint,
    );
    fn serialize_i128(self, v: i128) -> Done {
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Done {
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    // Not a float path: these two signatures are serde's `Serializer` trait's, which
    // every serializer must implement, and their only work is to refuse the value.
    // Money is exact (rule 1) and the core holds no float, so none ever arrives here;
    // `what_cannot_be_read_says_why` holds the refusal, and the no-float guard
    // (`price::tests::no_float_types_in_the_core`) exempts exactly these two lines.
    fn serialize_f32(self, _: f32) -> Done {
        Err(super::no_float())
    }
    fn serialize_f64(self, _: f64) -> Done {
        Err(super::no_float())
    }
    fn serialize_char(self, v: char) -> Done {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_str(self, v: &str) -> Done {
        self.text(v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Done {
        self.text(v);
        Ok(())
    }
    fn serialize_none(self) -> Done {
        self.0.push(0);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        self.0.push(1);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, index: u32, _: &'static str) -> Done {
        self.serialize_u32(index)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        value: &T,
    ) -> Done {
        self.varint(index.into());
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, WireError> {
        self.length(len)?;
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, WireError> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, WireError> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, WireError> {
        self.varint(index.into());
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, WireError> {
        self.length(len)?;
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, WireError> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, WireError> {
        self.serialize_tuple_variant(name, index, variant, len)
    }
}

/// The compound values whose parts are written one after the other, each as itself:
/// list elements, tuple fields, map keys and values, struct fields (names not written).
macro_rules! parts_in_order {
    ($($trait:ident :: $method:ident($($name:ty)?)),* $(,)?) => {$(
        impl ser::$trait for &mut Writer {
            type Ok = ();
            type Error = WireError;
            fn $method<T: Serialize + ?Sized>(&mut self, $(_: $name,)? value: &T) -> Done {
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                Ok(())
            }
        }
    )*};
}

parts_in_order!(
    SerializeSeq::serialize_element(),
    SerializeTuple::serialize_element(),
    SerializeTupleStruct::serialize_field(),
    SerializeTupleVariant::serialize_field(),
);

impl ser::SerializeMap for &mut Writer {
    type Ok = ();
    type Error = WireError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        Ok(())
    }
}

/// A struct's fields in order; a field `skip_serializing_if` left out keeps its place
/// with a 0 byte, what an absent option, an empty text or an empty list writes (see the
/// module above).
macro_rules! fields_in_order {
    ($($trait:ident),*) => {$(
        impl ser::$trait for &mut Writer {
            type Ok = ();
            type Error = WireError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _: &'static str,
                value: &T,
            ) -> Done {
                value.serialize(&mut **self)
            }
            fn skip_field(&mut self, _: &'static str) -> Done {
                self.0.push(0);
                Ok(())
            }
            fn end(self) -> Done {
                Ok(())
            }
        }
    )*};
}

fields_in_order!(SerializeStruct, SerializeStructVariant);
